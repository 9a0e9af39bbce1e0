using System.Runtime.InteropServices;
using LexV2.ResourcePolicy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// Configuration as production has it: a default client and a named one whose credentials come from an AWS profile that
// does not exist on this machine. UseLexPolicyEmulator replaces endpoint and credentials of both, so the host starts.
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["LexPolicy:Region"] = "eu-west-2",
    ["LexPolicy:MaxRetries"] = "2",
    ["LexPolicy:AttemptTimeout"] = "00:00:10",
    ["Lex:Prod:Region"] = "eu-west-1",
    ["Lex:Prod:Profile"] = "prod-deployer",
});

var emulator = new LexV2.ResourcePolicy.Testing.LexPolicyEmulator();
builder.Services.AddLexPolicyClient(builder.Configuration.GetSection("LexPolicy")).UseLexPolicyEmulator(emulator);
builder.Services.AddLexPolicyClient("prod", builder.Configuration.GetSection("Lex:Prod")).UseLexPolicyEmulator(emulator);

using IHost host = builder.Build();
await host.StartAsync();

var alias = BotAliasArn.Parse("arn:aws:lex:eu-west-2:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID");
var grant = LexGrant.ConnectInstance(alias, "arn:aws:connect:eu-west-2:123456789012:instance/11111111-2222-3333-4444-555555555555");
var client = host.Services.GetRequiredService<ILexPolicyClient>();
StatementChangeResult first = await client.EnsureStatementAsync(grant);
StatementChangeResult again = await client.EnsureStatementAsync(grant);

var prodBot = BotArn.Parse("arn:aws:lex:eu-west-1:123456789012:bot/ABCDEFGHIJ");
var prod = host.Services.GetRequiredService<ILexPolicyClientFactory>().CreateClient("prod");
StatementChangeResult role = await prod.EnsureStatementAsync(LexGrant.IamPrincipal(prodBot, "arn:aws:iam::123456789012:role/app", "App"));

await host.StopAsync();
Console.WriteLine($"consumer on {RuntimeInformation.FrameworkDescription}: ensure {first.Change}, again {again.Change}, named client {role.Change}");
return first.Change == StatementChange.Added && again.Change == StatementChange.None && role.Change == StatementChange.Added ? 0 : 1;
