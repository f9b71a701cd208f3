/** The project's Ollama (and OpenAI-compatible) test doubles. See README.md. */
export { OllamaDouble, startOllamaDouble, echoTokens, doubleTokenCount } from './ollamaDouble';
export { goJson } from './goJson';
export type { DoubleModel, DoubleOptions, ReplyScript, RequestRecord, Chunking } from './types';
