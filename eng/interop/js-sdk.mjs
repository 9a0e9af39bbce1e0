// Usage: node js-sdk.mjs http://127.0.0.1:PORT   (serve mode started with its default AKIDEXAMPLE credentials)
import {
  LexModelsV2Client, CreateResourcePolicyStatementCommand, DescribeResourcePolicyCommand, DeleteResourcePolicyStatementCommand,
  CreateResourcePolicyCommand, UpdateResourcePolicyCommand, DeleteResourcePolicyCommand,
} from "@aws-sdk/client-lex-models-v2";
import assert from "node:assert/strict";

const endpoint = process.argv[2];
const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "any-token" };
const c = new LexModelsV2Client({ region: "us-east-1", endpoint, credentials });
const alias = "arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID";
const bot = "arn:aws:lex:us-east-1:123456789012:bot/ABCDEFGHIJ";
const grant = {
  resourceArn: alias, statementId: "Connect", effect: "Allow", principal: [{ service: "connect.amazonaws.com" }], action: ["lex:RecognizeText"],
  condition: { StringEquals: { "aws:SourceAccount": "123456789012" }, ArnLike: { "aws:SourceArn": "arn:aws:connect:us-east-1:123456789012:instance/x" } },
};
const expectError = async (promise, name) => { await assert.rejects(promise, e => e.name === name); };

assert.equal((await c.send(new CreateResourcePolicyStatementCommand(grant))).revisionId, "1");
const described = await c.send(new DescribeResourcePolicyCommand({ resourceArn: alias }));
assert.equal(JSON.parse(described.policy).Statement[0].Sid, "Connect");
await expectError(c.send(new CreateResourcePolicyStatementCommand(grant)), "ConflictException");
await expectError(c.send(new DeleteResourcePolicyStatementCommand({ resourceArn: alias, statementId: "Connect", expectedRevisionId: "7" })), "PreconditionFailedException");
await c.send(new DeleteResourcePolicyStatementCommand({ resourceArn: alias, statementId: "Connect", expectedRevisionId: "1" }));
const botPolicy = (sid) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: sid, Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "lex:DescribeBot", Resource: bot }] });
await expectError(c.send(new CreateResourcePolicyCommand({ resourceArn: bot, policy: '{"Version":"2012-10-17","Statement":[]}' })), "ValidationException");
await c.send(new CreateResourcePolicyCommand({ resourceArn: bot, policy: botPolicy("One") }));
assert.equal((await c.send(new UpdateResourcePolicyCommand({ resourceArn: bot, policy: botPolicy("Two"), expectedRevisionId: "1" }))).revisionId, "2");
await c.send(new DeleteResourcePolicyCommand({ resourceArn: bot, expectedRevisionId: "2" }));
await expectError(c.send(new DescribeResourcePolicyCommand({ resourceArn: bot })), "ResourceNotFoundException");
const wrong = new LexModelsV2Client({ region: "us-east-1", endpoint, credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wrong" } });
await expectError(wrong.send(new DescribeResourcePolicyCommand({ resourceArn: bot })), "InvalidSignatureException");
console.log("AWS SDK for JavaScript v3 against serve mode: all operations and errors as expected");
