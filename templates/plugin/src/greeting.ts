/** The greeting `goblin __PLUGIN_TOPIC__ hello` prints: logic lives here, the command only renders it. */
export function greeting(name: string): string {
  return `Hello, ${name}, from __PLUGIN_PACKAGE__!`
}
