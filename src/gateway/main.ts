console.log('hearth gateway: not built yet');
