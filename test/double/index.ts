/** The project's Ollama (and OpenAI-compatible) test doubles. See README.md. */
export { OllamaDouble, startOllamaDouble, echoTokens, doubleTokenCount, doubleEmbedding, DOUBLE_EMBEDDING_DIMS, type RouteFault } from './ollamaDouble';
export { goJson } from './goJson';
export type { DoubleModel, DoubleOptions, ReplyScript, RequestRecord, Chunking } from './types';
export { OpenAIDouble, startOpenAIDouble, type OpenAIReplyScript } from './openaiDouble';
