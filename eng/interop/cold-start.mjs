// Cold-start child of the benchmarks project (dotnet run -c Release --project tests/LexV2.ResourcePolicy.Benchmarks -- --cold-start):
// one create+delete statement pair with the official AWS SDK for JavaScript v3 against the canned server, then the moment it
// completed as a CLOCK_MONOTONIC reading in nanoseconds (process.hrtime), the clock the parent read before starting this process.
// Usage: node cold-start.mjs http://127.0.0.1:PORT
import { LexModelsV2Client, CreateResourcePolicyStatementCommand, DeleteResourcePolicyStatementCommand } from "@aws-sdk/client-lex-models-v2";

const main = process.hrtime.bigint();
const endpoint = process.argv[2];
const client = new LexModelsV2Client({
  region: "us-east-1",
  endpoint,
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
});
const resourceArn = "arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID";
await client.send(new CreateResourcePolicyStatementCommand({
  resourceArn,
  statementId: "AllowConnect",
  effect: "Allow",
  principal: [{ service: "connect.amazonaws.com" }],
  action: ["lex:RecognizeText", "lex:StartConversation"],
  condition: {
    StringEquals: { "aws:SourceAccount": "123456789012" },
    ArnEquals: { "aws:SourceArn": "arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555" },
  },
}));
await client.send(new DeleteResourcePolicyStatementCommand({ resourceArn, statementId: "AllowConnect" }));
const done = process.hrtime.bigint();
console.log(`main ${main}`);
console.log(`done ${done}`);
client.destroy();
