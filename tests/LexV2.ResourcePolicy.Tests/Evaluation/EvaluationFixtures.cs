namespace LexV2.ResourcePolicy.Tests.Evaluation;

/// <summary>Shared names and builders for the evaluator's tests.</summary>
internal static class EvaluationFixtures
{
    public const string Account = "123456789012";
    public const string OtherAccount = "210987654321";
    public const string Alias = "arn:aws:lex:us-east-1:123456789012:bot-alias/BOTID12345/TSTALIASID";
    public const string Bot = "arn:aws:lex:us-east-1:123456789012:bot/BOTID12345";
    public const string Instance = "arn:aws:connect:us-east-1:123456789012:instance/abc";
    public const string Connect = "connect.amazonaws.com";
    public const string Role = "arn:aws:iam::123456789012:role/app";
    public const string Session = "arn:aws:sts::123456789012:assumed-role/app/worker-1";
    public const string User = "arn:aws:iam::123456789012:user/alice";
    public const string OtherRole = "arn:aws:iam::210987654321:role/partner";
    public const string OtherSession = "arn:aws:sts::210987654321:assumed-role/partner/s1";

    /// <summary>A version 2012-10-17 policy of the given statement objects.</summary>
    public static PolicyDocument Policy(params string[] statements) =>
        PolicyDocument.Parse($$"""{"Version":"2012-10-17","Statement":[{{string.Join(",", statements)}}]}""");

    /// <summary>An identity policy allowing the action on the alias.</summary>
    public static PolicyDocument IdentityAllow(string action = "lex:StartConversation", string resource = Alias) =>
        Policy($$"""{"Effect":"Allow","Action":"{{action}}","Resource":"{{resource}}"}""");

    /// <summary>A resource statement: Effect, Principal JSON, Action, optional Condition JSON.</summary>
    public static string Statement(string effect, string principal, string action = "lex:StartConversation", string? condition = null, string? sid = null, string resource = Alias) =>
        "{" + (sid is null ? string.Empty : $"\"Sid\":\"{sid}\",") + $"\"Effect\":\"{effect}\",\"Principal\":{principal},\"Action\":\"{action}\",\"Resource\":\"{resource}\"" +
        (condition is null ? string.Empty : ",\"Condition\":" + condition) + "}";

    public static string Service(string name = Connect) => $"{{\"Service\":\"{name}\"}}";

    public static string Aws(params string[] values) => "{\"AWS\":[" + string.Join(",", values.Select(v => $"\"{v}\"")) + "]}";

    public static AccessRequest Request(string principal, string action = "lex:StartConversation", string resource = Alias, IReadOnlyList<PolicyDocument>? identity = null, params (string Key, string[] Values)[] context) =>
        new()
        {
            Principal = principal,
            Action = action,
            Resource = resource,
            Context = context.ToDictionary(c => c.Key, c => (IReadOnlyList<string>)c.Values),
            IdentityPolicies = identity ?? [],
        };

    /// <summary>The Connect request of the README: the instance and its account in the context.</summary>
    public static AccessRequest ConnectRequest(string instance = Instance, string account = Account) =>
        Request(Connect, context: [("aws:SourceArn", [instance]), ("aws:SourceAccount", [account])]);

    /// <summary>The grant the Connect console makes, as LexGrant builds it.</summary>
    public static string ConnectGrant(string sid = "AllowConnect") =>
        Statement("Allow", Service(), condition: $$$"""{"StringEquals":{"aws:SourceAccount":"{{{Account}}}"},"ArnEquals":{"aws:SourceArn":"{{{Instance}}}"}}""", sid: sid);

    public static AccessDecisionKind Decide(PolicyDocument policy, AccessRequest request) => PolicyEvaluator.Evaluate(policy, request).Decision;
}
