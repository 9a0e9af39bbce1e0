using RichardSzalay.MockHttp;

namespace LexV2.ResourcePolicy.Tests.Arns;

public class LexResourceArnTests
{
    [Theory]
    [InlineData("arn:aws:lex:us-east-1:123456789012:bot/ABCDEFGHIJ", "aws", "us-east-1")]
    [InlineData("arn:aws-cn:lex:cn-north-1:123456789012:bot/ABCDEFGHIJ", "aws-cn", "cn-north-1")]
    [InlineData("arn:aws-us-gov:lex:us-gov-west-1:123456789012:bot/ABCDEFGHIJ", "aws-us-gov", "us-gov-west-1")]
    public void BotArn_ParsesAndFormatsInEveryPartition(string text, string partition, string region)
    {
        var arn = Assert.IsType<BotArn>(LexResourceArn.Parse(text));
        Assert.Equal((partition, region, "123456789012", "ABCDEFGHIJ", "bot"), (arn.Partition, arn.Region, arn.AccountId, arn.BotId, arn.ResourceType));
        Assert.Equal(text, arn.ToString());
        Assert.Equal(arn, new BotArn(partition, region, "123456789012", "ABCDEFGHIJ"));
    }

    [Theory]
    [InlineData("arn:aws:lex:eu-west-2:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID", "aws")]
    [InlineData("arn:aws-cn:lex:cn-northwest-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID", "aws-cn")]
    [InlineData("arn:aws-us-gov:lex:us-gov-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID", "aws-us-gov")]
    public void BotAliasArn_ParsesAndFormatsInEveryPartition(string text, string partition)
    {
        var arn = BotAliasArn.Parse(text);
        Assert.Equal(partition, arn.Partition);
        Assert.Equal("TSTALIASID", arn.BotAliasId);
        Assert.Equal(text, arn.ToString());
        Assert.Equal(arn, arn.Bot.Alias("TSTALIASID"));
        string asString = arn;
        Assert.Equal(text, asString);
    }

    [Theory]
    [InlineData("arn:aws:lex:us-east-1:123456789012:bot:OrderPizza:prod", "Lex V1")]
    [InlineData("arn:aws:lex:us-east-1::bot/ABCDEFGHIJ", "no account id")]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function:f", "'lambda' service")]
    [InlineData("arn:aws:lex:us-east-1:12345:bot/ABCDEFGHIJ", "account id '12345'")]
    [InlineData("arn:aws:lex:us-east-1:123456789012:bot/SHORT", "bot id 'SHORT'")]
    [InlineData("arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ", "bot-alias/{botId}/{botAliasId}")]
    [InlineData("arn:aws:lex:us-east-1:123456789012:bot/ABCDEFGHIJ/TSTALIASID", "bot/{botId}")]
    [InlineData("arn:aws:lex:us-east-1:123456789012:intent/X", "cannot carry a resource policy")]
    [InlineData("lex:us-east-1:123456789012:bot/ABCDEFGHIJ", "not an ARN")]
    [InlineData("", "empty")]
    public void NearMisses_FailWithAMessageThatSaysWhatIsWrong(string text, string expected)
    {
        Assert.False(LexResourceArn.TryParse(text, out _, out string? error));
        Assert.Contains(expected, error);
        var e = Assert.Throws<FormatException>(() => LexResourceArn.Parse(text));
        Assert.Equal(error, e.Message);
    }

    [Fact]
    public void KindSpecificParse_RejectsTheOtherKind()
    {
        Assert.Throws<FormatException>(() => BotArn.Parse("arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID"));
        Assert.Throws<FormatException>(() => BotAliasArn.Parse("arn:aws:lex:us-east-1:123456789012:bot/ABCDEFGHIJ"));
    }

    [Theory]
    [InlineData("arn:aws:lex:us-east-1:123456789012:bot/ABCDEFGHIJ", true, false)]
    [InlineData("arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID", false, true)]
    [InlineData("arn:aws:lex:us-east-1:123456789012:bot:OrderPizza:prod", false, false)]
    [InlineData("arn:aws:lex:us-east-1:123456789012:bot/SHORT", false, false)]
    [InlineData("", false, false)]
    [InlineData(null, false, false)]
    public void KindSpecificTryParse_AcceptsItsKindOnly_WithoutThrowing(string? text, bool isBot, bool isAlias)
    {
        Assert.Equal(isBot, BotArn.TryParse(text, out BotArn? bot));
        Assert.Equal(isAlias, BotAliasArn.TryParse(text, out BotAliasArn? alias));

        Assert.Equal(isBot ? text : null, bot?.ToString());
        Assert.Equal(isAlias ? text : null, alias?.ToString());
        if (isBot)
        {
            Assert.Equal(BotArn.Parse(text!), bot);
        }

        if (isAlias)
        {
            Assert.Equal(BotAliasArn.Parse(text!), alias);
        }
    }

    [Fact]
    public async Task Arn_IsUsableWhereAResourceArnIsAccepted()
    {
        using var m = new MockClient();
        Uri? uri = null;
        m.Http.When("*").With(r => { uri = r.RequestUri; return true; }).Respond("application/json", "{}");
        var alias = new BotAliasArn("aws", "us-east-1", "123456789012", "ABCDEFGHIJ", "TSTALIASID");

        await m.Client.DescribeResourcePolicyAsync(new() { ResourceArn = alias });

        Assert.EndsWith("/policy/arn%3Aaws%3Alex%3Aus-east-1%3A123456789012%3Abot-alias%2FABCDEFGHIJ%2FTSTALIASID/", uri!.AbsoluteUri);
    }
}
