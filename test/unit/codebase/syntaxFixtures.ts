/**
 * Small files of each language the chunkers read: the tree-sitter chunker's
 * per-language cases (syntaxChunker.test.ts) and, for TypeScript, the
 * definition-line chunker's (chunker.test.ts): the same text for both.
 */

/** A fixture's lines as the index gives them to a chunker (no empty last line). */
export const linesOf = (text: string): string[] => text.replace(/\n$/, '').split('\n');

export const FIXTURES: Record<string, string> = {
  'src/retry.ts': `import { wait } from './wait';

/** Parses a header. */
export function parseHeader(raw: string): string {
  return raw.trim();
}

export interface RetryOptions {
  attempts: number;
}

export type Backoff = (n: number) => number;

@injectable()
export class RetryHandler {
  private count = 0;
  constructor(private readonly opts: RetryOptions) {
    this.count = opts.attempts;
  }
  async onError(err: Error): Promise<void> {
    this.count++;
    await wait(this.count);
    throw err;
  }
}

export const backoff = (n: number) => {
  return 2 ** n;
};
`,
  'web/App.tsx': `import { h } from 'preact';

export function Greeting({ name }: { name: string }) {
  return <p class="greeting">Hello {name}</p>;
}

export default function App() {
  return <Greeting name="you" />;
}
`,
  'lib/router.js': `'use strict';
const path = require('path');
const util = require('util');

function Router(opts) {
  this.routes = [];
}

Router.prototype.route = function (p) {
  return this.routes.find((r) => r.path === p);
};

module.exports.createRouter = function createRouter() {
  return new Router();
};
`,
  'app/views.py': `import os


def render(template, **context):
    """Renders a template with the context."""
    return template.format(**context)


class View:
    """A class-based view."""

    methods = ["GET"]

    @classmethod
    def as_view(cls, name):
        return cls()

    def dispatch_request(self):
        raise NotImplementedError
`,
  'server/engine.go': `package server

import "net/http"

// Engine is the framework's instance.
type Engine struct {
	routes map[string]http.HandlerFunc
}

// ServeHTTP conforms to the http.Handler interface.
func (engine *Engine) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	engine.routes[req.URL.Path](w, req)
}

func New() *Engine {
	return &Engine{}
}
`,
  'src/parser.rs': `use std::fmt;

/// A parsed header.
#[derive(Debug)]
pub struct Header {
    name: String,
}

impl fmt::Display for Header {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}", self.name)
    }
}

pub fn parse_header(raw: &str) -> Header {
    Header { name: raw.to_string() }
}
`,
  'src/main/java/app/Cache.java': `package app;

import java.util.Map;

/** A small cache. */
public class Cache {
    private Map<String, String> entries;

    public Cache() {
        entries = new java.util.HashMap<>();
    }

    @Override
    public String toString() {
        return entries.toString();
    }
}
`,
  'src/buffer.c': `#include <stdlib.h>

/* A growable buffer. */
typedef struct {
    char *data;
    size_t len;
} buffer_t;

static int grow(buffer_t *b, size_t n);

int buffer_append(buffer_t *b, const char *s, size_t n) {
    if (grow(b, n)) return -1;
    return 0;
}
`,
  'src/widget.cpp': `#include "widget.h"

namespace ui {

class Widget {
public:
    void draw();
};

void Widget::draw() {
    paint();
}

}  // namespace ui
`,
  'src/Services/Mailer.cs': `using System;

namespace App.Services
{
    /// <summary>Sends mail.</summary>
    public class Mailer
    {
        public string Host { get; set; }

        public void Send(string to)
        {
            Console.WriteLine(to);
        }
    }
}
`,
  'lib/greeter.rb': `# Greets people.
class Greeter
  def initialize(name)
    @name = name
  end

  def greet
    "Hello #{@name}"
  end
end
`,
  'src/Repo.php': `<?php
namespace App;

/** Finds users. */
class UserRepository
{
    public function find(int $id): ?User
    {
        return null;
    }
}

function helper() {
    return 1;
}
`,
};
