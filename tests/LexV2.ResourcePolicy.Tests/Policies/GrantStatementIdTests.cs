using System.Security.Cryptography;
using System.Text;

namespace LexV2.ResourcePolicy.Tests.Policies;

/// <summary>
/// Every grant helper's default statement id derives from what it grants (Allow{Service}-{id}, or a SHA-256 prefix when the
/// id does not fit), so two grants on one resource never share an id; typed source ARNs are checked.
/// </summary>
public class GrantStatementIdTests
{
    private static readonly BotAliasArn Alias = BotAliasArn.Parse("arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID");
    private const string Production = "arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555";
    private const string Recovery = "arn:aws:connect:us-east-1:123456789012:instance/66666666-7777-8888-9999-000000000000";

    /// <summary>The fallback, computed here from the words: the first 16 hex characters of the SHA-256 of the ARN.</summary>
    private static string Hash16(string arn) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(arn)))[..16].ToLowerInvariant();

    [Fact]
    public void ConnectInstance_DefaultsToAllowConnectAndTheInstanceId_SoTwoInstancesNeverShareOne()
    {
        Assert.Equal("AllowConnect-11111111-2222-3333-4444-555555555555", LexGrant.ConnectInstance(Alias, Production).StatementId);
        Assert.Equal("AllowConnect-66666666-7777-8888-9999-000000000000", LexGrant.ConnectInstance(Alias, Recovery).StatementId);
        Assert.Equal("Mine", LexGrant.ConnectInstance(Alias, Production, "Mine").StatementId);
    }

    [Theory]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function:fulfil", "AllowLambda-fulfil")]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function:order_pizza-2", "AllowLambda-order_pizza-2")]
    public void LambdaFunction_DefaultsToAllowLambdaAndTheFunctionName(string function, string expected) =>
        Assert.Equal(expected, LexGrant.LambdaFunction(Alias, function).StatementId);

    [Theory]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function:fulfil:prod")] // NAME:QUALIFIER has a ':'
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function:fulfil:$LATEST")]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function:a__b")] // two separators in a row
    public void LambdaFunction_WhoseIdDoesNotFit_FallsBackToTheHash(string function) =>
        Assert.Equal("AllowLambda-" + Hash16(function), LexGrant.LambdaFunction(Alias, function).StatementId);

    [Theory]
    [InlineData("arn:aws:iam::123456789012:role/deployer", "AllowRole-deployer")]
    [InlineData("arn:aws:iam::123456789012:role/teams/bots/deployer", "AllowRole-deployer")]
    [InlineData("arn:aws:iam::123456789012:user/alice", "AllowUser-alice")]
    [InlineData("arn:aws:iam::123456789012:root", "AllowAccount-root")]
    public void IamPrincipal_DefaultsToItsTypeAndName(string principal, string expected) =>
        Assert.Equal(expected, LexGrant.IamPrincipal(Alias, principal).StatementId);

    [Theory]
    [InlineData("arn:aws:chime:us-east-1:123456789012:app/my-app", "AllowChime-my-app")]
    [InlineData("arn:aws:chime:us-east-1:123456789012:app/my.app", null)] // '.' is outside the statement-id pattern
    [InlineData("arn:aws:chime:us-east-1:123456789012:app/-x", null)] // would follow the dash with a dash
    public void ServiceAccess_TakesThePartAfterTheLastSlashOrColon_OrTheHash(string source, string? expected) =>
        Assert.Equal(expected ?? "AllowChime-" + Hash16(source), LexGrant.ServiceAccess(Alias, "chime.amazonaws.com", source).StatementId);

    [Fact]
    public void AnIdThatWouldMakeTheStatementIdLongerThan100_FallsBackToTheHash()
    {
        string longest = "arn:aws:chime:us-east-1:123456789012:app/" + new string('a', 100 - "AllowChime-".Length);
        string tooLong = longest + "a";

        Assert.Equal(100, LexGrant.ServiceAccess(Alias, "chime.amazonaws.com", longest).StatementId.Length);
        Assert.Equal("AllowChime-" + Hash16(tooLong), LexGrant.ServiceAccess(Alias, "chime.amazonaws.com", tooLong).StatementId);
    }

    /// <summary>
    /// The last segment names the source only when it is the whole resource id: two qualified functions share a qualifier,
    /// and a function in another region can share a name; those take the hash, so two grants never share an id.
    /// </summary>
    [Theory]
    [InlineData("lambda.amazonaws.com", "arn:aws:lambda:us-east-1:123456789012:function:orders:live", "arn:aws:lambda:us-east-1:123456789012:function:refunds:live")]
    [InlineData("lambda.amazonaws.com", "arn:aws:lambda:us-east-1:123456789012:function:fulfil", "arn:aws:lambda:us-west-2:123456789012:function:fulfil")]
    [InlineData("chime.amazonaws.com", "arn:aws:chime:us-east-1:123456789012:app-instance/one/bot/helper", "arn:aws:chime:us-east-1:123456789012:app-instance/two/bot/helper")]
    public void ServiceAccess_TwoSourcesThatShareALastSegment_GetDifferentIds(string service, string first, string second)
    {
        string a = LexGrant.ServiceAccess(Alias, service, first).StatementId, b = LexGrant.ServiceAccess(Alias, service, second).StatementId;

        Assert.NotEqual(a, b);
        Assert.True(a.Length <= 100 && b.Length <= 100);
    }

    [Fact]
    public void LambdaFunction_OfTheSameNameInAnotherRegion_GetsTheHash()
    {
        const string other = "arn:aws:lambda:us-west-2:123456789012:function:fulfil";
        Assert.Equal("AllowLambda-" + Hash16(other), LexGrant.LambdaFunction(Alias, other).StatementId);
        Assert.Equal("AllowLambda-fulfil", LexGrant.LambdaFunction(Alias, "arn:aws:lambda:us-east-1:123456789012:function:fulfil").StatementId);
    }

    [Theory]
    [InlineData("my_svc_.amazonaws.com", "AllowMysvc-")]
    [InlineData("a__b.amazonaws.com", "AllowAb-")]
    public void ServiceAccess_WithAServiceNameOutsideThePattern_StillMakesAValidId(string service, string prefix)
    {
        string id = LexGrant.ServiceAccess(Alias, service, "arn:aws:chime:us-east-1:123456789012:app/my-app").StatementId;
        Assert.Equal(prefix + "my-app", id);
    }

    [Fact]
    public void ServiceAccess_WithALongServiceName_KeepsTheIdWithin100Characters()
    {
        string id = LexGrant.ServiceAccess(Alias, new string('s', 200) + ".amazonaws.com", "arn:aws:chime:us-east-1:123456789012:app/my-app").StatementId;
        Assert.True(id.Length <= 100, id);
        Assert.EndsWith("-my-app", id, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".amazonaws.com")]
    [InlineData("_.amazonaws.com")]
    public void ServiceAccess_WithNoNameInTheServicePrincipal_IsAnArgumentExceptionNamingIt(string service)
    {
        var e = Assert.Throws<ArgumentException>(() => LexGrant.ServiceAccess(Alias, service, "arn:aws:chime:us-east-1:123456789012:app/my-app"));
        Assert.Equal("servicePrincipal", e.ParamName);
        Assert.Contains($"'{service}'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function:fulfil")]
    [InlineData("arn:aws:connect:us-east-1:123456789012:instance")]
    [InlineData("arn:aws:connect:us-east-1:123456789012:instance/abc/queue/q1")]
    [InlineData("arn:aws:connect:us-east-1:123456789012:contact-flow/abc")]
    [InlineData("arn:aws:connect:us-east-1:12345678901:instance/abc")]
    [InlineData("11111111-2222-3333-4444-555555555555")]
    public void ConnectInstance_RefusesAnythingButAConnectInstanceArn_NamingIt(string arn)
    {
        var e = Assert.Throws<ArgumentException>(() => LexGrant.ConnectInstance(Alias, arn));
        Assert.Equal("connectInstanceArn", e.ParamName);
        Assert.Contains($"'{arn}' is not an Amazon Connect instance ARN (expected arn:PARTITION:connect:REGION:ACCOUNT:instance/ID)", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("arn:aws:connect:us-east-1:123456789012:instance/abc")]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:layer:x")]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function:")]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function:a:b:c")]
    public void LambdaFunction_RefusesAnythingButAFunctionArn_NamingIt(string arn) =>
        Assert.Contains($"'{arn}' is not a Lambda function ARN", Assert.Throws<ArgumentException>(() => LexGrant.LambdaFunction(Alias, arn)).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("arn:aws:sts::123456789012:assumed-role/deployer/session")]
    [InlineData("arn:aws:iam::123456789012:group/admins")]
    [InlineData("arn:aws:iam::123456789012:role/")]
    [InlineData("123456789012")]
    public void IamPrincipal_RefusesAnythingButARoleUserOrRootArn_NamingIt(string arn) =>
        Assert.Contains($"'{arn}' is not an IAM role, user or account-root ARN", Assert.Throws<ArgumentException>(() => LexGrant.IamPrincipal(Alias, arn)).Message, StringComparison.Ordinal);

    [Fact]
    public void ServiceGrants_RefuseASourceInAnotherPartition_NamingBoth()
    {
        // Partitions are isolated: an aws-cn Connect instance can never call a bot in aws.
        var e = Assert.Throws<ArgumentException>(() => LexGrant.ConnectInstance(Alias, "arn:aws-cn:connect:cn-north-1:123456789012:instance/abc"));
        Assert.Equal("connectInstanceArn", e.ParamName);
        Assert.Contains("is in partition aws-cn but the bot is in partition aws", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => LexGrant.ServiceAccess(Alias, "chime.amazonaws.com", "arn:aws-us-gov:chime:us-gov-west-1:123456789012:app/a"));
    }

    [Fact]
    public void TypedChecks_KeepTheAccountCheck()
    {
        Assert.Contains("is in account 999999999999", Assert.Throws<ArgumentException>(() => LexGrant.LambdaFunction(Alias, "arn:aws:lambda:us-east-1:999999999999:function:f")).Message, StringComparison.Ordinal);
        Assert.Contains("is in account 999999999999", Assert.Throws<ArgumentException>(() => LexGrant.IamPrincipal(Alias, "arn:aws:iam::999999999999:root")).Message, StringComparison.Ordinal);
    }
}
