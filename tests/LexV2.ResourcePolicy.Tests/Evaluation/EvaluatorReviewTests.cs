using System.Diagnostics;
using static LexV2.ResourcePolicy.Tests.Evaluation.EvaluationFixtures;

namespace LexV2.ResourcePolicy.Tests.Evaluation;

/// <summary>
/// Defects found by the review of #23: each test failed before its fix, except the guards that keep a fix honest
/// (<see cref="Principal_NamedInAnotherPartition_DoesNotExemptFromNotPrincipal"/>,
/// <see cref="Wildcard_PolicyVariableEscapes_StillMatchOnlyTheLiteralCharacter"/>, the <c>{0}*{0}*b</c> shape). The worst kind
/// is an Allowed where AWS denies (false assurance); the rest are hostile inputs that must neither hang nor match what AWS would not.
/// </summary>
[Trait("Issue", "23")]
public class EvaluatorReviewTests
{
    private static string NotPrincipalDeny(params string[] listed) =>
        $$"""{"Effect":"Deny","NotPrincipal":{"AWS":[{{string.Join(",", listed.Select(l => $"\"{l}\""))}}]},"Action":"lex:*","Resource":"*"}""";

    [Fact]
    public void NotPrincipal_DoesNotExemptARoleGivenWithoutItsSession()
    {
        // A role calls through sessions, and NotPrincipal exempts a session only when its session ARN is listed too (AWS checks
        // the account, the role, then the session). Listing the role and its account leaves every session denied.
        var policy = Policy(Statement("Allow", Aws(Role)), NotPrincipalDeny(Role, Account));
        var decision = PolicyEvaluator.Evaluate(policy, Request(Role));
        Assert.Equal(AccessDecisionKind.ExplicitlyDenied, decision.Decision);
        Assert.Equal(AccessDecisionKind.ExplicitlyDenied, Decide(policy, Request(Session)));
        Assert.True(decision.Statements[1].Matched);
    }

    [Fact]
    public void NotPrincipal_ExplainsThatARoleIsExemptOnlyThroughASessionArn()
    {
        var policy = Policy(Statement("Allow", Aws(Role)), NotPrincipalDeny(Role, Account, Session));
        Assert.Equal(AccessDecisionKind.Allowed, Decide(policy, Request(Session)));
        var decision = PolicyEvaluator.Evaluate(policy, Request(Role));
        Assert.Equal(AccessDecisionKind.ExplicitlyDenied, decision.Decision);
        Assert.Contains("session", decision.Summary + decision.Explain(), StringComparison.Ordinal);
    }

    [Fact]
    public void ADenyNamingOneSessionOfTheRole_DeniesTheRoleGivenWithoutItsSession()
    {
        // Asked about a role without its session, the evaluator answers for every session of it: a Deny naming one session
        // denies that session in AWS, so "Allowed" would be false assurance. The Allow side stays strict (a session named
        // in an Allow does not allow the role's other sessions).
        string session = Role.Replace(":iam::", ":sts::", StringComparison.Ordinal).Replace(":role/", ":assumed-role/", StringComparison.Ordinal) + "/batch";
        var policy = Policy(Statement("Allow", Aws(Role)), Statement("Deny", Aws(session)));
        var decision = PolicyEvaluator.Evaluate(policy, Request(Role));
        Assert.Equal(AccessDecisionKind.ExplicitlyDenied, decision.Decision);
        Assert.True(decision.Statements[1].Matched);
        Assert.Equal(AccessDecisionKind.ImplicitlyDenied, Decide(Policy(Statement("Allow", Aws(session))), Request(Role)));
        Assert.Equal(AccessDecisionKind.Allowed, Decide(policy, Request(Session)));
    }

    [Theory]
    [InlineData("arn:aws-cn:iam::123456789012:role/app")]
    [InlineData("arn:aws-cn:iam::123456789012:root")]
    [InlineData("arn:aws-us-gov:iam::123456789012:role/app")]
    public void Principal_NamedInAnotherPartition_DoesNotMatch(string named)
    {
        // Account ids and role names are per partition: arn:aws-cn:…:role/app is not arn:aws:…:role/app.
        var policy = Policy(Statement("Allow", Aws(named)));
        var decision = PolicyEvaluator.Evaluate(policy, Request(Session));
        Assert.Equal(AccessDecisionKind.ImplicitlyDenied, decision.Decision);
        Assert.Equal("Principal", decision.Statements[0].Element);
        Assert.Equal(AccessDecisionKind.ImplicitlyDenied, Decide(policy, Request(Role)));
    }

    [Fact]
    public void Principal_NamedInAnotherPartition_DoesNotExemptFromNotPrincipal()
    {
        var policy = Policy(Statement("Allow", Aws(Role)), NotPrincipalDeny("arn:aws-cn:iam::123456789012:user/alice", "arn:aws-cn:iam::123456789012:root"));
        Assert.Equal(AccessDecisionKind.ExplicitlyDenied, Decide(policy, Request("arn:aws-cn:iam::123456789012:user/alice".Replace("aws-cn", "aws", StringComparison.Ordinal), identity: [IdentityAllow()])));
    }

    [Fact]
    public void Principal_OfAnotherPartitionThanTheResource_IsRefused()
    {
        // A principal calls only within its partition; a request across partitions cannot happen, so it is not evaluated.
        var e = Assert.Throws<ArgumentException>(() => PolicyEvaluator.Evaluate(Policy(Statement("Allow", "\"*\"")), Request("arn:aws-cn:iam::123456789012:role/app")));
        Assert.Contains("AccessRequest.Principal", e.Message, StringComparison.Ordinal);
        Assert.Contains("partition", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("StringLike", "\uE000", "*")]
    [InlineData("StringLike", "o-\uE001", "o-?")]
    [InlineData("ArnLike", "arn:aws:connect:us-east-1:123456789012:instance/\uE000", "arn:aws:connect:us-east-1:123456789012:instance/*")]
    public void Wildcard_PrivateUseCharactersInAPolicy_MatchOnlyThemselves(string op, string pattern, string value)
    {
        // The evaluator marks the literal * and ? of ${*} and ${?} with private-use characters; written in a policy, those
        // characters are plain text and must not match a * or ? in the request.
        var policy = Policy(Statement("Allow", Service(), condition: "{\"" + op + "\":{\"aws:SourceArn\":\"" + pattern + "\"}}"));
        Assert.Equal(AccessDecisionKind.ImplicitlyDenied, Decide(policy, Request(Connect, context: [("aws:SourceArn", [value])])));
        Assert.Equal(AccessDecisionKind.Allowed, Decide(policy, Request(Connect, context: [("aws:SourceArn", [pattern])])));
    }

    [Fact]
    public void Wildcard_PolicyVariableEscapes_StillMatchOnlyTheLiteralCharacter()
    {
        var policy = Policy(Statement("Allow", Service(), condition: """{"StringLike":{"aws:SourceArn":"a${*}b${?}"}}"""));
        Assert.Equal(AccessDecisionKind.Allowed, Decide(policy, Request(Connect, context: [("aws:SourceArn", ["a*b?"])])));
        Assert.Equal(AccessDecisionKind.ImplicitlyDenied, Decide(policy, Request(Connect, context: [("aws:SourceArn", ["axxbx"])])));
    }

    [Theory]
    [InlineData("*{0}b*")]
    [InlineData("*{0}?b*")]
    [InlineData("{0}*{0}*b")]
    public void Wildcard_HostilePatternAgainstALongValue_DoesNotHang(string shape)
    {
        // A long run of one letter before a letter the value lacks made the backtracking matcher retry the run at every
        // position: length(pattern) × length(value) steps, about a minute here. Matching segment by segment is linear in practice.
        string pattern = string.Format(System.Globalization.CultureInfo.InvariantCulture, shape, new string('a', 20_000));
        string value = new('a', 400_000);
        var policy = Policy(Statement("Allow", Service(), condition: "{\"StringLike\":{\"aws:SourceArn\":\"" + pattern + "\"}}"));
        var request = Request(Connect, context: [("aws:SourceArn", [value])]);
        var clock = Stopwatch.StartNew();
        Assert.Equal(AccessDecisionKind.ImplicitlyDenied, Decide(policy, request));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }
}

[Trait("Issue", "23")]
public class PolicyVariableAmplificationTests
{
    [Theory]
    [InlineData("StringLike")]
    [InlineData("StringEquals")]
    [InlineData("ArnLike")]
    [InlineData("StringNotEquals")]
    public void ManyVariablesOfALongValue_NeitherThrowNorAllocateTheProduct(string op)
    {
        // 12,500 variables that each stand for a 200,000-character value would resolve to 2.5 billion characters: more than an
        // int counts (the buffer size overflowed and the write threw IndexOutOfRangeException) and gigabytes to allocate. A
        // resolved value longer than every value it is compared with cannot match, so it is never built.
        string pattern = string.Concat(Enumerable.Repeat("${aws:PrincipalTag/x}", 12_500));
        var policy = Policy(Statement("Allow", Service(), condition: "{\"" + op + "\":{\"aws:SourceArn\":\"" + pattern + "\"}}"));
        var request = Request(Connect, context: [("aws:SourceArn", ["arn:aws:connect:us-east-1:123456789012:instance/abc"]), ("aws:PrincipalTag/x", [new string('a', 200_000)])]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var decision = PolicyEvaluator.Evaluate(policy, request);
        Assert.Equal(op == "StringNotEquals" ? AccessDecisionKind.Allowed : AccessDecisionKind.ImplicitlyDenied, decision.Decision);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 64L << 20);
        Assert.NotEmpty(decision.Explain());
    }

    [Fact]
    public void ManyVariablesInAResource_NeitherThrowNorAllocateTheProduct()
    {
        string pattern = "arn:aws:lex:us-east-1:123456789012:bot-alias/" + string.Concat(Enumerable.Repeat("${aws:PrincipalTag/x}", 12_500));
        var policy = Policy(Statement("Allow", Service(), resource: pattern));
        var request = Request(Connect, context: [("aws:PrincipalTag/x", [new string('a', 200_000)])]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(AccessDecisionKind.ImplicitlyDenied, Decide(policy, request));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 64L << 20);
    }
}

[Trait("Issue", "23")]
public class IpAddressNotationTests
{
    [Theory]
    [InlineData("10.1")]       // IPAddress.TryParse reads 10.0.0.1
    [InlineData("0xa.0.0.1")]  // hexadecimal
    [InlineData("012.0.0.1")]  // octal
    [InlineData("167772161")]  // one 32-bit number
    [InlineData("10.0.0.1%1")]
    [InlineData("10.0.0.1/32")]
    public void IpAddress_ARequestValueInALegacyNotation_IsNoAddress(string sourceIp)
    {
        // aws:SourceIp is an address in the standard notation; a legacy form is a typo, not 10.0.0.1, and must not be allowed.
        var policy = Policy(Statement("Allow", Service(), condition: """{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"""));
        Assert.Equal(AccessDecisionKind.ImplicitlyDenied, Decide(policy, Request(Connect, context: [("aws:SourceIp", [sourceIp])])));
        Assert.Equal(AccessDecisionKind.Allowed, Decide(policy, Request(Connect, context: [("aws:SourceIp", ["10.0.0.1"])])));
    }
}

[Trait("Issue", "23")]
public class WildcardMatcherPropertyTests
{
    /// <summary>The textbook dynamic program: pattern prefix i matches text prefix j.</summary>
    private static bool Reference(string pattern, string text, bool ignoreCase)
    {
        var m = new bool[pattern.Length + 1, text.Length + 1];
        m[0, 0] = true;
        for (int i = 1; i <= pattern.Length; i++)
        {
            for (int j = 0; j <= text.Length; j++)
            {
                char p = pattern[i - 1];
                m[i, j] = p == '*'
                    ? m[i - 1, j] || (j > 0 && m[i, j - 1])
                    : j > 0 && m[i - 1, j - 1] && (p == '?' || p == text[j - 1] || (ignoreCase && char.ToUpperInvariant(p) == char.ToUpperInvariant(text[j - 1])));
            }
        }

        return m[pattern.Length, text.Length];
    }

    [Fact]
    public void SegmentMatcher_AgreesWithTheDynamicProgram_OnGeneratedPatterns()
    {
        // The segment-by-segment matcher (leftmost segments, run searches with jumps) against the definition, on small alphabets
        // where runs repeat and overlap, so jumps and near misses are frequent.
        var random = new Random(23);
        for (int k = 0; k < 200_000; k++)
        {
            string pattern = new([.. Enumerable.Range(0, random.Next(0, 12)).Select(_ => "ab*?A"[random.Next(5)])]);
            string text = new([.. Enumerable.Range(0, random.Next(0, 14)).Select(_ => "abA"[random.Next(3)])]);
            bool ignoreCase = random.Next(2) == 0;
            Assert.True(Reference(pattern, text, ignoreCase) == Wildcard.Match(pattern, text, ignoreCase), $"'{pattern}' vs '{text}' (ignoreCase {ignoreCase})");
        }
    }

    [Fact]
    public void SegmentMatcher_WithLongRuns_AgreesWithTheDynamicProgram()
    {
        var random = new Random(17);
        for (int k = 0; k < 3_000; k++)
        {
            string Piece() => new(random.Next(3) == 0 ? 'b' : 'a', random.Next(1, 20));
            string pattern = string.Concat(Enumerable.Range(0, random.Next(1, 6)).Select(_ => Piece() + "*?"[random.Next(2)]));
            string text = string.Concat(Enumerable.Range(0, random.Next(1, 8)).Select(_ => Piece()));
            Assert.True(Reference(pattern, text, false) == Wildcard.Match(pattern, text, false), $"'{pattern}' vs '{text}'");
        }
    }
}
