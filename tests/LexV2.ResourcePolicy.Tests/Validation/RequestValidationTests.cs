using RichardSzalay.MockHttp;

namespace LexV2.ResourcePolicy.Tests.Validation;

/// <summary>Each documented constraint at its valid edge (sent) and its invalid edge (rejected with the member path, nothing sent).</summary>
public class RequestValidationTests
{
    private const string Account = "123456789012";

    private static CreateResourcePolicyStatementRequest RoleGrant() => new()
    {
        ResourceArn = Fixtures.AliasArn,
        StatementId = "Sid",
        Effect = Effect.Allow,
        Principal = [Principal.ForArn($"arn:aws:iam::{Account}:role/app")],
        Action = ["lex:RecognizeText"],
    };

    private static Dictionary<string, IReadOnlyDictionary<string, string>> Cond(params (string Op, string Key, string Value)[] entries) =>
        entries.GroupBy(e => e.Op).ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, string>)g.ToDictionary(e => e.Key, e => e.Value));

    /// <summary>Eleven IAM operators that take any text.</summary>
    private static readonly string[] TextOperators =
        ["StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "StringEqualsIfExists"];

    private static Dictionary<string, IReadOnlyDictionary<string, string>> ServiceConds() =>
        Cond(("StringEquals", "aws:SourceAccount", Account), ("ArnLike", "aws:SourceArn", "arn:aws:connect:us-east-1:123456789012:instance/x"));

    // (constraint, valid edge, invalid edge, member path expected in the message)
    public static TheoryData<string, CreateResourcePolicyStatementRequest, CreateResourcePolicyStatementRequest, string> Cases => new()
    {
        { "ResourceArn length 1..1011", RoleGrant() with { ResourceArn = Fixtures.AliasArn + new string('x', 1011 - Fixtures.AliasArn.Length) }, RoleGrant() with { ResourceArn = Fixtures.AliasArn + new string('x', 1012 - Fixtures.AliasArn.Length) }, "ResourceArn" },
        { "ResourceArn required", RoleGrant(), RoleGrant() with { ResourceArn = "" }, "ResourceArn" },
        { "StatementId length 1..100", RoleGrant() with { StatementId = new string('a', 100) }, RoleGrant() with { StatementId = new string('a', 101) }, "StatementId" },
        { "StatementId length min 1", RoleGrant() with { StatementId = "a" }, RoleGrant() with { StatementId = "" }, "StatementId" },
        { "StatementId pattern", RoleGrant() with { StatementId = "a_b-c1" }, RoleGrant() with { StatementId = "a__b" }, "StatementId" },
        { "StatementId pattern no leading separator", RoleGrant() with { StatementId = "a-" }, RoleGrant() with { StatementId = "-a" }, "StatementId" },
        { "Effect enum", RoleGrant() with { Effect = Effect.Deny }, RoleGrant() with { Effect = (Effect)7 }, "Effect" },
        { "Principal non-empty", RoleGrant(), RoleGrant() with { Principal = [] }, "Principal" },
        { "Principal exactly one of", RoleGrant(), RoleGrant() with { Principal = [new Principal { Arn = $"arn:aws:iam::{Account}:root", Service = "connect.amazonaws.com" }], Condition = ServiceConds() }, "Principal[0]" },
        { "Principal neither", RoleGrant(), RoleGrant() with { Principal = [new Principal()] }, "Principal[0]" },
        { "Principal ARN pattern", RoleGrant() with { Principal = [Principal.ForArn($"arn:aws:iam::{Account}:user/a")] }, RoleGrant() with { Principal = [Principal.ForArn($"arn:aws:iam::{Account}:group/a")] }, "Principal[0].Arn" },
        { "Principal ARN min 30", RoleGrant() with { Principal = [Principal.ForArn($"arn:aws:iam::{Account}:root")] }, RoleGrant() with { Principal = [Principal.ForArn("arn:aws:iam::12345678901:root")] }, "Principal[0].Arn" },
        { "Principal ARN second", RoleGrant() with { Principal = [Principal.ForArn($"arn:aws:iam::{Account}:root"), Principal.ForArn($"arn:aws:iam::{Account}:role/b")] }, RoleGrant() with { Principal = [Principal.ForArn($"arn:aws:iam::{Account}:root"), Principal.ForArn("arn:aws:sts::123456789012:role/b")] }, "Principal[1].Arn" },
        { "Cross-account", RoleGrant(), RoleGrant() with { Principal = [Principal.ForArn("arn:aws:iam::999999999999:role/app")] }, "Principal[0].Arn" },
        { "Service principal length 15", RoleGrant() with { Principal = [Principal.ForService("abcdefghij.com1")], Condition = ServiceConds() }, RoleGrant() with { Principal = [Principal.ForService("abcdefghij.com")], Condition = ServiceConds() }, "Principal[0].Service" },
        { "Service principal pattern", RoleGrant() with { Principal = [Principal.ForService("lex_v2.amazonaws.com")], Condition = ServiceConds() }, RoleGrant() with { Principal = [Principal.ForService("lex-v2.amazonaws.com")], Condition = ServiceConds() }, "Principal[0].Service" },
        { "Service principal conditions", RoleGrant() with { Principal = [Principal.ForService("connect.amazonaws.com")], Condition = ServiceConds() }, RoleGrant() with { Principal = [Principal.ForService("connect.amazonaws.com")], Condition = Cond(("StringEquals", "aws:SourceAccount", Account)) }, "Condition" },
        { "Service principal conditions both missing", RoleGrant() with { Principal = [Principal.ForService("connect.amazonaws.com")], Condition = ServiceConds() }, RoleGrant() with { Principal = [Principal.ForService("connect.amazonaws.com")] }, "Condition" },
        { "Action non-empty", RoleGrant(), RoleGrant() with { Action = [] }, "Action" },
        { "Action length 5..50", RoleGrant() with { Action = ["lex:" + new string('a', 46)] }, RoleGrant() with { Action = ["lex:" + new string('a', 47)] }, "Action[0]" },
        { "Action pattern", RoleGrant() with { Action = ["lex:*"] }, RoleGrant() with { Action = ["lex:Recognize-Text"] }, "Action[0]" },
        { "Action pattern second", RoleGrant() with { Action = ["lex:A", "lex:Get*"] }, RoleGrant() with { Action = ["lex:A", "lambda:Invoke"] }, "Action[1]" },
        { "Condition operators max 10", RoleGrant() with { Condition = TextOperators.Take(10).ToDictionary(op => op, _ => (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { ["k"] = "v" }) }, RoleGrant() with { Condition = TextOperators.ToDictionary(op => op, _ => (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { ["k"] = "v" }) }, "Condition" },
        { "Condition keys max 10", RoleGrant() with { Condition = new Dictionary<string, IReadOnlyDictionary<string, string>> { ["StringEquals"] = Enumerable.Range(0, 10).ToDictionary(i => $"k{i}", _ => "v") } }, RoleGrant() with { Condition = new Dictionary<string, IReadOnlyDictionary<string, string>> { ["StringEquals"] = Enumerable.Range(0, 11).ToDictionary(i => $"k{i}", _ => "v") } }, "Condition[\"StringEquals\"]" },
        { "Condition key length 1..1024", RoleGrant() with { Condition = Cond(("StringEquals", new string('k', 1024), "v")) }, RoleGrant() with { Condition = Cond(("StringEquals", new string('k', 1025), "v")) }, "Condition[\"StringEquals\"]" },
        { "Condition value length 1..1024", RoleGrant() with { Condition = Cond(("StringEquals", "k", new string('v', 1024))) }, RoleGrant() with { Condition = Cond(("StringEquals", "k", "")) }, "Condition[\"StringEquals\"][\"k\"]" },
        { "Condition operator length min 1", RoleGrant() with { Condition = Cond(("Null", "k", "true")) }, RoleGrant() with { Condition = Cond(("", "k", "v")) }, "Condition" },
        { "ExpectedRevisionId length 1..5", RoleGrant() with { ExpectedRevisionId = "99999" }, RoleGrant() with { ExpectedRevisionId = "100000" }, "ExpectedRevisionId" },
        { "ExpectedRevisionId pattern", RoleGrant() with { ExpectedRevisionId = "0" }, RoleGrant() with { ExpectedRevisionId = "1a" }, "ExpectedRevisionId" },
        { "ExpectedRevisionId no newline", RoleGrant() with { ExpectedRevisionId = "12" }, RoleGrant() with { ExpectedRevisionId = "12\n" }, "ExpectedRevisionId" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Constraint_ValidEdgeIsSent_InvalidEdgeIsRejectedBeforeSending(string constraint, CreateResourcePolicyStatementRequest valid, CreateResourcePolicyStatementRequest invalid, string memberPath)
    {
        using var m = new MockClient();
        int sent = 0;
        m.Http.When("*").Respond(_ => { sent++; return new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StringContent("{}") }; });

        await m.Client.CreateResourcePolicyStatementAsync(valid);
        Assert.Equal(1, sent);

        var e = await Assert.ThrowsAsync<RequestValidationException>(() => m.Client.CreateResourcePolicyStatementAsync(invalid));
        Assert.Equal(1, sent);
        Assert.Contains(e.Violations, v => v.MemberPath == memberPath);
        Assert.Contains(memberPath + ":", e.Message);
        Assert.False(string.IsNullOrEmpty(constraint));
    }

    [Fact]
    public async Task AllViolations_AreListed_NotJustTheFirst()
    {
        using var m = new MockClient();
        var e = await Assert.ThrowsAsync<RequestValidationException>(() => m.Client.CreateResourcePolicyStatementAsync(new()
        {
            ResourceArn = Fixtures.AliasArn,
            StatementId = "bad id!",
            Effect = Effect.Allow,
            Principal = [Principal.ForService("connect.amazonaws.com"), Principal.ForArn("arn:aws:iam::999999999999:role/x")],
            Action = ["lex:RecognizeText", "lex:Bad-Action"],
            ExpectedRevisionId = "x",
        }));

        Assert.Equal(["StatementId", "Principal[1].Arn", "Action[1]", "Condition", "ExpectedRevisionId"], e.Violations.Select(v => v.MemberPath));
        Assert.Equal("CreateResourcePolicyStatement", e.Operation);
        Assert.Equal("ClientValidationException", e.ErrorCode);
        Assert.IsAssignableFrom<ValidationException>(e);
    }

    [Fact]
    public async Task OtherOperations_AreValidatedToo_AndNothingIsSent()
    {
        using var m = new MockClient();
        m.Http.Fallback.Throw(new InvalidOperationException("nothing may be sent"));

        await Assert.ThrowsAsync<RequestValidationException>(() => m.Client.DeleteResourcePolicyStatementAsync(new() { ResourceArn = Fixtures.AliasArn, StatementId = "a/b" }));
        await Assert.ThrowsAsync<RequestValidationException>(() => m.Client.CreateResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn, Policy = "{" }));
        await Assert.ThrowsAsync<RequestValidationException>(() => m.Client.UpdateResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn, Policy = "{}", ExpectedRevisionId = "" }));
        await Assert.ThrowsAsync<RequestValidationException>(() => m.Client.DeleteResourcePolicyAsync(new() { ResourceArn = "", ExpectedRevisionId = "1" }));
        await Assert.ThrowsAsync<RequestValidationException>(() => m.Client.DescribeResourcePolicyAsync(new() { ResourceArn = new string('a', 1012) }));
        await Assert.ThrowsAsync<ArgumentNullException>(() => m.Client.DescribeResourcePolicyAsync(null!));
    }

    [Fact]
    public async Task ValidationOff_SendsWhatTheCallerGave()
    {
        using var m = new MockClient(o => o.ValidateRequests = false);
        m.Http.When("*").Respond("application/json", "{}");

        await m.Client.CreateResourcePolicyStatementAsync(RoleGrant() with { StatementId = "not valid!" });
    }
}
