/**
 * goblin's Cedar schema: the entity types, the actions and the request context every decision gets
 * (`goblin policy schema` prints it). Cedar validates records as closed, so a tool's input, which is open
 * (whatever the tool takes), is declared with the fields the common tools use, each optional: a policy
 * naming another field fails `goblin policy validate` (give your own schema with `policy.schema`), while
 * requests carry the input as given and are not validated against the schema.
 */
export const GOBLIN_SCHEMA = `// goblin's Cedar schema (goblin policy schema). Times and money are UTC and USD.
// Each entity's name is its id, as a string: Cedar compares entities only whole, so a pattern
// (resource.name like "*opus*") needs the name.
entity Goblin, Agent, Tool, Model, Memory, Stage = { name: String };

// One cost envelope (a cost.budgets entry of goblin.config.json) as goblin cost check measures it.
type Envelope = {
  budget_usd: decimal,
  spent_usd: decimal,
  remaining_usd: decimal,
  // spent / budget x 100, rounded down: 80 means 80% of the envelope is spent.
  used_percent: Long,
  // "ok", "warn" (from warn_at) or "exceeded".
  status: String,
};

// The envelopes that apply, by period; when two apply in one period, the more used one.
type Envelopes = { day?: Envelope, week?: Envelope, month?: Envelope };

type Cost = {
  // Envelopes of this goblin (entries naming it and no task) and of this task (entries naming the task).
  goblin: Envelopes,
  task: Envelopes,
  // What the coming call is expected to cost, when the caller says.
  estimate_usd?: decimal,
  // False when an applicable envelope is exceeded, or would be by estimate_usd (as costGuard decides).
  within_budgets: Bool,
  // The model's price per million tokens, when the resource is a Model the price table knows.
  price?: { input_per_mtok: decimal, output_per_mtok: decimal },
};

type Time = { now: datetime, hour_utc: Long, weekday_utc: Long };

// A tool's input as given (open: only these fields are known to the validator).
type Input = {
  command?: String,
  description?: String,
  file_path?: String,
  path?: String,
  pattern?: String,
  url?: String,
  query?: String,
  prompt?: String,
  content?: String,
  old_string?: String,
  new_string?: String,
  cmd?: String,
};

type Context = {
  input: Input,
  cost: Cost,
  time: Time,
  trace_id?: String,
  task?: String,
  session_id?: String,
};

action "tool.call" appliesTo { principal: [Goblin, Agent], resource: [Tool], context: Context };
action "llm.call" appliesTo { principal: [Goblin, Agent], resource: [Model], context: Context };
action "memory.write" appliesTo { principal: [Goblin, Agent], resource: [Memory], context: Context };
action "deploy" appliesTo { principal: [Goblin, Agent], resource: [Stage], context: Context };
`
