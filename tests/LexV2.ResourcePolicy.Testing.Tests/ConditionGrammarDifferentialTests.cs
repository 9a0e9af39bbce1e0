using CsCheck;

namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>
/// The client's condition grammar and the emulator's (written independently, issue #20) give the same verdict on the same
/// condition: for random operators and values, near-valid ones included, the client's validation refuses a statement exactly
/// when the emulator, sent the same statement with validation off, answers 400. A disagreement means a statement the client
/// lets through is refused by the "service", or one the service takes cannot be written through the client.
/// </summary>
public class ConditionGrammarDifferentialTests
{
    private const string Alias = "arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID";
    private const string Instance = "arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555";

    private static readonly Gen<string> Operators = Gen.Select(
        Gen.OneOfConst("", "", "", "ForAnyValue:", "ForAllValues:", "ForAnyvalue:"),
        Gen.OneOfConst(
            "StringEquals", "StringNotEqualsIgnoreCase", "StringLike", "NumericLessThan", "NumericEquals", "DateGreaterThan", "DateEquals",
            "Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnLike", "ArnNotEquals", "Null", "Numeric", "Date", "StringEqual"),
        Gen.OneOfConst("", "", "IfExists", "Ifexists"),
        (set, op, suffix) => set + op + suffix);

    private static readonly Gen<string> Digits = Gen.String[Gen.Char['0', '9'], 1, 14];

    /// <summary>Values near each type's grammar: valid ones, and ones one slip away.</summary>
    private static readonly Gen<string> Values = Gen.OneOf(
        Gen.OneOfConst(
            "10", "-2.5", "+3", "1.", ".5", "1e3", "0x10", "1,000", "99999999999999999999999999999999", " 10", "10 ",
            "2026-12-31", "2026-12-31T23:59:59Z", "2026-12-31T23:59:59.123Z", "2026-12-31T23:59:59.123456789Z", "2026-12-31T23:59Z",
            "2026-12-31T23:59:59+01:00", "2026-12-31T23:59:59+0100", "2026-12-31T23:59:59", "20261231T235959Z", "20261231T235959+0100",
            "20261231T235959+01:00", "2026-12-31T23:59:59.Z", "2026-12-31T23:59:59.5+01:00", "2028-02-29", "2026-13-01", "2026-02-30", "2026-12-31T24:00:00Z", "2026-12-31T23:60:00Z", "2026", "2026-12", "0000", "2026-1-1", "2026-12-31t23:59:59z",
            "1700000000", "1700000000000", "17000000000000000000000", "-1700000000",
            "true", "false", "TRUE", "False", "yes", "1", "${aws:MultiFactorAuthPresent}",
            "QmluYXJ5", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", "QmluYXJ5V", "not base64!", "====",
            "203.0.113.0/24", "203.0.113.5", "10.0.0.1/8", "203.0.113.0/33", "2001:db8::/32", "2001:DB8:1234:5678::/64", "::1", "fe80::1%eth0",
            "203.0.113.0/", "203.0.113.0/024", "256.0.0.1", "203.0.113", "1.2.3.4/0",
            "arn:aws:connect:us-east-1:123456789012:instance/*", "*", "a"),
        Digits);

    [Fact]
    public async Task ClientAndEmulator_GiveTheSameVerdict_OnEveryCondition()
    {
        var emulator = new LexPolicyEmulator();
        using var strict = emulator.CreateClient(o => o.MaxRetries = 0);
        using var loose = emulator.CreateClient(o => { o.MaxRetries = 0; o.ValidateRequests = false; });
        var disagreements = new List<string>();

        await Gen.Select(Operators, Values).SampleAsync(
            async sample =>
            {
                var (op, value) = sample;
                var request = new CreateResourcePolicyStatementRequest
                {
                    ResourceArn = Alias,
                    StatementId = "Probe",
                    Effect = Effect.Allow,
                    Principal = [Principal.ForService("connect.amazonaws.com")],
                    Action = ["lex:RecognizeText"],
                    Condition = new Dictionary<string, IReadOnlyDictionary<string, string>>
                    {
                        ["StringEquals"] = new Dictionary<string, string> { ["aws:SourceAccount"] = "123456789012" },
                        ["ArnEquals"] = new Dictionary<string, string> { ["aws:SourceArn"] = Instance },
                        [op] = new Dictionary<string, string> { ["aws:PrincipalTag/probe"] = value },
                    },
                };

                emulator.Reset();
                bool clientRefuses = await Refuses(strict, request);
                emulator.Reset();
                bool emulatorRefuses = await Refuses(loose, request);
                if (clientRefuses != emulatorRefuses)
                {
                    lock (disagreements)
                    {
                        disagreements.Add($"{op} '{value}': client {(clientRefuses ? "refuses" : "accepts")}, emulator {(emulatorRefuses ? "refuses" : "accepts")}");
                    }
                }
            },
            iter: 3000,
            threads: 1);

        Assert.True(disagreements.Count == 0, string.Join(Environment.NewLine, disagreements.Distinct().Order()));
    }

    private static readonly Gen<string> Principals = Gen.OneOfConst(
        "\"*\"", "{\"AWS\":\"*\"}", "{\"AWS\":[\"arn:aws:iam::123456789012:root\",\"*\"]}", "{\"AWS\":\"arn:aws:iam::123456789012:role/app\"}",
        "{\"Service\":\"connect.amazonaws.com\"}", "{\"Service\":\"*\"}", "{\"CanonicalUser\":\"*\"}");

    /// <summary>Whole documents: the wildcard-principal rule (Allow/Deny, Principal/NotPrincipal) and the condition grammar together.</summary>
    [Fact]
    public async Task ClientAndEmulator_GiveTheSameVerdict_OnEveryDocument()
    {
        var emulator = new LexPolicyEmulator();
        using var strict = emulator.CreateClient(o => o.MaxRetries = 0);
        using var loose = emulator.CreateClient(o => { o.MaxRetries = 0; o.ValidateRequests = false; });
        var disagreements = new List<string>();

        await Gen.Select(Gen.OneOfConst("Allow", "Deny"), Gen.OneOfConst("Principal", "NotPrincipal"), Principals, Operators, Values).SampleAsync(
            async sample =>
            {
                var (effect, element, principal, op, value) = sample;
                string policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"" + effect + "\",\"" + element + "\":" + principal +
                    ",\"Action\":\"lex:RecognizeText\",\"Condition\":{\"" + op + "\":{\"aws:PrincipalTag/probe\":" + System.Text.Json.JsonSerializer.Serialize(value, ProbeJson.Default.String) + "}}}]}";
                emulator.Reset();
                bool clientRefuses = await Refuses(strict, policy);
                emulator.Reset();
                bool emulatorRefuses = await Refuses(loose, policy);
                if (clientRefuses != emulatorRefuses)
                {
                    disagreements.Add($"{policy}: client {(clientRefuses ? "refuses" : "accepts")}, emulator {(emulatorRefuses ? "refuses" : "accepts")}");
                }
            },
            iter: 2000,
            threads: 1);

        Assert.True(disagreements.Count == 0, string.Join(Environment.NewLine, disagreements.Distinct().Order().Take(30)));
    }

    private static async Task<bool> Refuses(LexPolicyClient client, string policy)
    {
        try
        {
            await client.CreateResourcePolicyAsync(new() { ResourceArn = Alias, Policy = policy });
            return false;
        }
        catch (ValidationException)
        {
            return true;
        }
    }

    private static async Task<bool> Refuses(LexPolicyClient client, CreateResourcePolicyStatementRequest request)
    {
        try
        {
            await client.CreateResourcePolicyStatementAsync(request);
            return false;
        }
        catch (ValidationException)
        {
            return true;
        }
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class ProbeJson : System.Text.Json.Serialization.JsonSerializerContext;
