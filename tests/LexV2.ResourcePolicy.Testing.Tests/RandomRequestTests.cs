using CsCheck;

namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>
/// Random statement requests either fail client-side validation with messages naming members, or pass it and are accepted
/// by the emulator (whose rules are written independently from the API model): the two must agree.
/// </summary>
public class RandomRequestTests(Xunit.Abstractions.ITestOutputHelper output)
{
    public const int Iterations = 3000;

    private static readonly string[] Members = ["ResourceArn", "StatementId", "Effect", "Principal", "Action", "Condition", "ExpectedRevisionId"];

    private static readonly Gen<string> ResourceArns = Gen.OneOfConst(
        "arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID",
        "arn:aws:lex:eu-west-2:123456789012:bot/ABCDEFGHIJ");

    private static readonly Gen<string> Names = Gen.Frequency(
        (8, Gen.String[Gen.Char.AlphaNumeric, 1, 12]),
        (1, Gen.String[Gen.OneOfConst('a', 'B', '7', '_', '-', '.', ' ', '/', 'é'), 0, 12]),
        (1, Gen.Int[95, 105].Select(n => new string('s', n))));


    private static readonly Gen<Principal> Principals = Gen.Frequency(
        (4, Gen.OneOfConst("connect.amazonaws.com", "lambda.amazonaws.com").Select(Principal.ForService)),
        (4, Gen.OneOfConst("arn:aws:iam::123456789012:role/app", "arn:aws:iam::123456789012:root").Select(Principal.ForArn)),
        (1, Gen.OneOfConst("lex.amazonaws", "bad-service.amazonaws.com", "x").Select(Principal.ForService)),
        (1, Gen.OneOfConst("arn:aws:iam::999999999999:role/x", "arn:aws:iam::123456789012:group/g", "arn:aws-cn:iam::123456789012:root").Select(Principal.ForArn)),
        (1, Gen.OneOfConst(new Principal(), new Principal { Service = "connect.amazonaws.com", Arn = "arn:aws:iam::123456789012:root" })));

    private static readonly Gen<string> Actions = Gen.Frequency(
        (6, Gen.OneOfConst("lex:RecognizeText", "lex:StartConversation", "lex:*", "lex:Describe*")),
        (1, Gen.OneOfConst("lex:Recognize-Text", "lex:", "lambda:Invoke", "lex:" + new string('a', 47))),
        (2, Gen.String[Gen.Char.AlphaNumeric, 1, 10].Select(s => "lex:" + s)));

    private static readonly Gen<Dictionary<string, IReadOnlyDictionary<string, string>>?> Conditions = Gen.OneOf(
        Gen.Const(() => (Dictionary<string, IReadOnlyDictionary<string, string>>?)null),
        Gen.Select(Gen.Frequency((5, Gen.Const(true)), (1, Gen.Const(false))), Gen.Frequency((5, Gen.Const(true)), (1, Gen.Const(false))), Gen.Frequency((5, Gen.Const("123456789012")), (1, Gen.Const(""))), (account, arn, accountValue) =>
        {
            var d = new Dictionary<string, IReadOnlyDictionary<string, string>>();
            if (account)
            {
                d["StringEquals"] = new Dictionary<string, string> { ["aws:SourceAccount"] = accountValue };
            }

            if (arn)
            {
                d["ArnLike"] = new Dictionary<string, string> { ["aws:SourceArn"] = "arn:aws:connect:us-east-1:123456789012:instance/x" };
            }

            return (Dictionary<string, IReadOnlyDictionary<string, string>>?)d;
        }),
        Gen.Int[9, 12].Select(n => (Dictionary<string, IReadOnlyDictionary<string, string>>?)Enumerable.Range(0, n).ToDictionary(i => "Op" + i, _ => (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { ["aws:SourceAccount"] = "123456789012", ["aws:SourceArn"] = "a" })));

    private static readonly Gen<CreateResourcePolicyStatementRequest> Requests = Gen.Select(
        ResourceArns,
        Names,
        Gen.OneOfConst(Effect.Allow, Effect.Deny),
        Gen.Frequency((1, Principals.List[0, 0]), (12, Principals.List[1, 2])),
        Gen.Frequency((1, Actions.List[0, 0]), (12, Actions.List[1, 3])),
        Conditions,
        (arn, sid, effect, principals, actions, conditions) => new CreateResourcePolicyStatementRequest
        {
            ResourceArn = arn,
            StatementId = sid,
            Effect = effect,
            Principal = principals,
            Action = actions,
            Condition = conditions,
        });

    [Fact]
    public async Task ClientValidation_AndTheEmulator_Agree()
    {
        var emulator = new LexPolicyEmulator();
        using var client = emulator.CreateClient(o => o.MaxRetries = 0);
        int rejected = 0, accepted = 0;

        await Requests.SampleAsync(
            async request =>
            {
                emulator.Reset(); // judge each request on its own: no conflicts, no quota
                try
                {
                    await client.CreateResourcePolicyStatementAsync(request);
                    accepted++;
                }
                catch (RequestValidationException e)
                {
                    Assert.NotEmpty(e.Violations);
                    Assert.All(e.Violations, v => Assert.Contains(Members, m => v.MemberPath.StartsWith(m, StringComparison.Ordinal)));
                    rejected++;
                }
            },
            iter: Iterations,
            threads: 1);

        output.WriteLine($"{Iterations} random requests: {accepted} accepted by client and emulator, {rejected} rejected by client validation");
        Assert.True(accepted > 50 && rejected > 50, $"accepted {accepted}, rejected {rejected}: the generator must exercise both sides");
    }
}
