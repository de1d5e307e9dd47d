// The calls every OpenAI-client instrumentation is run with: Chat Completions JSON and streamed (with and
// without `stream_options.include_usage`), and Responses JSON and streamed. `client` is an instrumented
// `OpenAI` instance pointed at the fake model server.

/** Reads a stream to its end; returns the text and the usage the client saw. */
async function drainChat(stream) {
  let text = ''
  let usage = null
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? ''
    if (chunk.usage) usage = chunk.usage
  }
  return { text, usage }
}

export function openAiCases(client) {
  const messages = [{ role: 'user', content: 'Say hello.' }]
  return {
    chat: async () => {
      const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages })
      return { text: completion.choices[0].message.content, usage: completion.usage }
    },
    'chat-stream': async () =>
      drainChat(
        await client.chat.completions.create({
          model: 'gpt-4o-mini',
          messages,
          stream: true,
          stream_options: { include_usage: true },
        }),
      ),
    // What a caller gets when it does not ask for usage: the API sends none.
    'chat-stream-no-usage': async () =>
      drainChat(await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })),
    responses: async () => {
      const response = await client.responses.create({ model: 'gpt-4.1-mini', input: 'Say hello.' })
      return { text: response.output_text, usage: response.usage }
    },
    'responses-stream': async () => {
      const stream = await client.responses.create({
        model: 'gpt-4.1-mini',
        input: 'Say hello.',
        stream: true,
      })
      let text = ''
      let usage = null
      for await (const event of stream) {
        if (event.type === 'response.output_text.delta') text += event.delta
        if (event.type === 'response.completed') usage = event.response.usage
      }
      return { text, usage }
    },
  }
}
