using BenchmarkDotNet.Attributes;

namespace LexV2.ResourcePolicy.Benchmarks;

/// <summary>
/// <see cref="PolicyEvaluator"/> on a 20-statement bot-alias policy with conditions on every statement but three: service
/// grants (aws:SourceAccount + aws:SourceArn), role and account grants (org id, TLS, tags), and denies (TLS, organisation,
/// network, date). Target (issue 21 in the issue texts, #23): at most 5 µs, and nothing allocated but the AccessDecision when
/// only Decision is read.
/// </summary>
[MemoryDiagnoser]
public class EvaluatorBenchmarks
{
    private const string Alias = "arn:aws:lex:us-east-1:123456789012:bot-alias/BOTID12345/TSTALIASID";

    private PolicyDocument _policy = null!;
    private AccessRequest _connect = null!;
    private AccessRequest _crossAccount = null!;
    private AccessRequest _deniedService = null!;

    /// <summary>The policy text (also used by the unit test that counts statements).</summary>
    public static string PolicyJson
    {
        get
        {
            string Service(string sid, string service, string sourceArn) =>
                $"{{\"Sid\":\"{sid}\",\"Effect\":\"Allow\",\"Principal\":{{\"Service\":\"{service}\"}},\"Action\":[\"lex:RecognizeText\",\"lex:StartConversation\"],\"Resource\":\"{Alias}\",\"Condition\":{{\"StringEquals\":{{\"aws:SourceAccount\":\"123456789012\"}},\"ArnEquals\":{{\"aws:SourceArn\":\"{sourceArn}\"}}}}}}";
            string Role(string sid, string role, string condition) =>
                $$"""{"Sid":"{{sid}}","Effect":"Allow","Principal":{"AWS":"{{role}}"},"Action":"lex:*","Resource":"{{Alias}}"{{condition}}}""";
            string[] statements =
            [
                Service("Connect1", "connect.amazonaws.com", "arn:aws:connect:us-east-1:123456789012:instance/11111111-aaaa-bbbb-cccc-000000000001"),
                Service("Connect2", "connect.amazonaws.com", "arn:aws:connect:us-east-1:123456789012:instance/11111111-aaaa-bbbb-cccc-000000000002"),
                Service("Lambda1", "lambda.amazonaws.com", "arn:aws:lambda:us-east-1:123456789012:function:fulfil"),
                Service("Lambda2", "lambda.amazonaws.com", "arn:aws:lambda:us-east-1:123456789012:function:validate"),
                Service("Chime", "voiceconnector.chime.amazonaws.com", "arn:aws:chime:us-east-1:123456789012:vc/abcdefghijklmnop"),
                Role("Deployer", "arn:aws:iam::123456789012:role/deployer", ""","Condition":{"Bool":{"aws:SecureTransport":"true"}}"""),
                Role("Ops", "arn:aws:iam::123456789012:role/ops", ""","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abcdef1234"}}"""),
                Role("Tests", "arn:aws:iam::123456789012:role/tests", string.Empty),
                Role("Analytics", "arn:aws:iam::123456789012:role/analytics", ""","Condition":{"ForAnyValue:StringLike":{"aws:PrincipalTag/team":["data-*","bi-*"]}}"""),
                Role("Partner", "210987654321", ""","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abcdef1234"},"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32"]}}"""),
                Role("Audit", "arn:aws:iam::123456789012:role/audit", ""","Condition":{"DateLessThan":{"aws:CurrentTime":"2027-01-01T00:00:00Z"}}"""),
                Role("Support", "arn:aws:iam::123456789012:user/support", string.Empty),
                Service("Connect3", "connect.amazonaws.com", "arn:aws:connect:us-east-1:123456789012:instance/11111111-aaaa-bbbb-cccc-000000000003"),
                Service("Connect4", "connect.amazonaws.com", "arn:aws:connect:us-east-1:123456789012:instance/11111111-aaaa-bbbb-cccc-000000000004"),
                Role("Builder", "arn:aws:iam::123456789012:role/builder", ""","Condition":{"StringEquals":{"aws:SourceAccount":"${aws:PrincipalAccount}"}}"""),
                Role("Legacy", "arn:aws:iam::123456789012:role/legacy", ""","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}"""),
                """{"Sid":"DenyInsecure","Effect":"Deny","Principal":"*","Action":"lex:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}""",
                """{"Sid":"DenyOutsideOrg","Effect":"Deny","Principal":"*","Action":"lex:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-abcdef1234"},"Bool":{"aws:PrincipalIsAWSService":"false"}}}""",
                """{"Sid":"DenyOffNetwork","Effect":"Deny","Principal":{"AWS":"*"},"NotAction":["lex:RecognizeText","lex:StartConversation"],"Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","203.0.113.0/24"]},"Null":{"aws:SourceIp":"false"}}}""",
                """{"Sid":"DenyAfterSunset","Effect":"Deny","Principal":"*","Action":"lex:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}}""",
            ];
            return """{"Version":"2012-10-17","Statement":[""" + string.Join(",", statements) + "]}";
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        _policy = PolicyDocument.Parse(PolicyJson);
        var common = new Dictionary<string, IReadOnlyList<string>>
        {
            ["aws:SecureTransport"] = ["true"],
            ["aws:CurrentTime"] = ["2026-12-07T10:00:00Z"],
            ["aws:SourceIp"] = ["10.20.30.40"],
        };
        _connect = new AccessRequest
        {
            Principal = "connect.amazonaws.com",
            Action = "lex:StartConversation",
            Resource = Alias,
            Context = new Dictionary<string, IReadOnlyList<string>>(common)
            {
                ["aws:SourceArn"] = ["arn:aws:connect:us-east-1:123456789012:instance/11111111-aaaa-bbbb-cccc-000000000004"],
                ["aws:SourceAccount"] = ["123456789012"],
            },
        };
        _deniedService = _connect with
        {
            Context = new Dictionary<string, IReadOnlyList<string>>(_connect.Context) { ["aws:SourceArn"] = ["arn:aws:connect:us-east-1:123456789012:instance/zzz"] },
        };
        _crossAccount = new AccessRequest
        {
            Principal = "arn:aws:sts::210987654321:assumed-role/partner/session",
            Action = "lex:RecognizeText",
            Resource = Alias,
            Context = new Dictionary<string, IReadOnlyList<string>>(common)
            {
                ["aws:PrincipalOrgID"] = ["o-abcdef1234"],
                ["aws:SourceIp"] = ["203.0.113.9"],
            },
            IdentityPolicies = [PolicyDocument.Parse("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lex:RecognizeText","Resource":"arn:aws:lex:*:123456789012:bot-alias/*"}]}""")],
        };

        // The cases are what their descriptions say (a changed evaluator or policy must not silently measure something else).
        Expect(_connect, AccessDecisionKind.Allowed, "resource statement 13 \"Connect4\"");
        Expect(_deniedService, AccessDecisionKind.ImplicitlyDenied, "no statement of the resource policy allows");
        Expect(_crossAccount, AccessDecisionKind.Allowed, "resource statement 9 \"Partner\" and identity[0] statement 0");

        // Steady state before BenchmarkDotNet's own warm-up (as in ClientBenchmarks): promote every path through tiered compilation.
        for (int i = 0; i < 200_000; i++)
        {
            _ = Allowed();
            _ = Denied();
            _ = CrossAccount();
        }
    }

    private void Expect(AccessRequest request, AccessDecisionKind kind, string summary)
    {
        var decision = PolicyEvaluator.Evaluate(_policy, request);
        if (decision.Decision != kind || !decision.Summary.Contains(summary, StringComparison.Ordinal) || decision.Statements.Count != 20 + request.IdentityPolicies.Count)
        {
            throw new InvalidOperationException("The benchmark case is not what it claims: " + decision.Explain());
        }
    }

    [Benchmark(Description = "Evaluate, 20 statements, service principal allowed by statement 13, Decision only")]
    public AccessDecisionKind Allowed() => PolicyEvaluator.Evaluate(_policy, _connect).Decision;

    [Benchmark(Description = "Evaluate, 20 statements, service principal implicitly denied (every statement checked), Decision only")]
    public AccessDecisionKind Denied() => PolicyEvaluator.Evaluate(_policy, _deniedService).Decision;

    [Benchmark(Description = "Evaluate, 20 statements + identity policy, cross-account session allowed, Decision only")]
    public AccessDecisionKind CrossAccount() => PolicyEvaluator.Evaluate(_policy, _crossAccount).Decision;

    [Benchmark(Description = "Evaluate + Explain() of the denied request (per-statement reasons)")]
    public string Explained() => PolicyEvaluator.Evaluate(_policy, _deniedService).Explain();
}

/// <summary>
/// The evaluator cases measured by process CPU time rather than wall time (<c>--evaluator-cpu [--calls N] [--rounds R]</c>):
/// sequential calls on one thread, CPU time from getrusage, so time the process spends preempted by other work on a shared
/// machine does not count. Prints the median over the rounds, per call.
/// </summary>
public static class EvaluatorCpu
{
    public static void Run(int calls, int rounds)
    {
        var bench = new EvaluatorBenchmarks();
        bench.Setup();
        (string Name, Func<AccessDecisionKind> Call)[] cases =
        [
            ("allowed (statement 13 of 20), Decision only", bench.Allowed),
            ("implicitly denied (all 20 checked), Decision only", bench.Denied),
            ("cross-account + identity policy, Decision only", bench.CrossAccount),
        ];
        Console.WriteLine($"| case | CPU per call (median of {rounds} rounds of {calls:N0}) | allocated per call |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var (name, call) in cases)
        {
            var perCall = new List<(double Nanoseconds, double Bytes)>();
            for (int r = 0; r < rounds; r++)
            {
                var before = Socket.ProcessCounters.Now();
                for (int i = 0; i < calls; i++)
                {
                    call();
                }

                var used = Socket.ProcessCounters.Now() - before;
                perCall.Add((used.Cpu.TotalNanoseconds / calls, (double)used.AllocatedBytes / calls));
            }

            var median = perCall.OrderBy(p => p.Nanoseconds).ElementAt(rounds / 2);
            Console.WriteLine(FormattableString.Invariant($"| {name} | {median.Nanoseconds / 1000:F2} µs | {median.Bytes:F0} B |"));
        }
    }
}
