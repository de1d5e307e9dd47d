/**
 * One name per provider, whatever a convention calls it: OpenTelemetry's `gen_ai.provider.name` values
 * (`aws.bedrock`, `gcp.gemini`), the older `gen_ai.system`, the Vercel AI SDK's `<provider>.<api>` ids
 * (`openai.chat`, `openai.responses`, `anthropic.messages`, `google.generative-ai`), OpenInference's
 * `llm.provider` / `llm.system`, and langsmith's `ls_provider`. The names are LiteLLM's provider prefixes,
 * which the price book files prices under; LiteLLM's own `litellm_provider` values for one provider's
 * sub-catalogues (`bedrock_converse`, `vertex_ai-anthropic_models`) normalize to that provider too.
 */
const ALIASES: Record<string, string> = {
  'aws.bedrock': 'bedrock',
  'amazon-bedrock': 'bedrock',
  amazon_bedrock: 'bedrock',
  'azure.ai.openai': 'azure',
  'az.ai.openai': 'azure',
  azure_openai: 'azure',
  'azure.ai.inference': 'azure_ai',
  'az.ai.inference': 'azure_ai',
  'gcp.gemini': 'gemini',
  'gcp.gen_ai': 'gemini',
  google: 'gemini',
  'google.generative-ai': 'gemini',
  google_genai: 'gemini',
  googleai: 'gemini',
  'gcp.vertex_ai': 'vertex_ai',
  vertexai: 'vertex_ai',
  'google.vertex': 'vertex_ai',
  google_vertexai: 'vertex_ai',
  mistral_ai: 'mistral',
  mistralai: 'mistral',
  x_ai: 'xai',
  'ibm.watsonx.ai': 'watsonx',
  // genai-prices' provider ids
  aws: 'bedrock',
  'x-ai': 'xai',
  together: 'together_ai',
  fireworks: 'fireworks_ai',
  moonshotai: 'moonshot',
  'github-copilot': 'github_copilot',
  // LiteLLM's litellm_provider values
  bedrock_converse: 'bedrock',
  bedrock_mantle: 'bedrock',
  azure_text: 'azure',
  cohere_chat: 'cohere',
  'text-completion-openai': 'openai',
  'text-completion-codestral': 'codestral',
  'text-completion-inception': 'inception',
}

/** LiteLLM's `<provider>-<kind>_models` / `<provider>-embedding-models` catalogues of one provider. */
const LITELLM_CATALOGUE = /^([a-z0-9_]+)-[a-z0-9_-]*models$/

/** The normalized provider for a name as a sender wrote it; null for an empty name. */
export function normalizeProvider(name: string | null): string | null {
  if (name === null) return null
  const lower = name.trim().toLowerCase()
  if (!lower) return null
  const known = ALIASES[lower]
  if (known) return known
  const catalogue = LITELLM_CATALOGUE.exec(lower)
  if (catalogue?.[1]) return catalogue[1]
  // `openai.chat`, `anthropic.messages`, `google.vertex.chat`: the provider, then the API it used.
  for (let dot = lower.lastIndexOf('.'); dot > 0; dot = lower.lastIndexOf('.', dot - 1)) {
    const head = lower.slice(0, dot)
    const alias = ALIASES[head]
    if (alias) return alias
  }
  const dot = lower.indexOf('.')
  return dot > 0 ? lower.slice(0, dot) : lower
}
