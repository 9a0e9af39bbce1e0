namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>The emulator accepts the ARNs the client's ARN types accept, no more: a sloppy ARN fails in the test, not in production.</summary>
public class ArnRulesTests
{
    private readonly LexPolicyEmulator _emulator = new();

    public static TheoryData<string> ArnsTheClientTypesReject => new()
    {
        "arn:aws:lex:us-east-1:123456789012:bot/x",
        "arn:aws:lex:us-east-1:123456789012:bot/ABCDEFGHI",
        "arn:aws:lex:us-east-1:123456789012:bot/ABCDEFGHIJK",
        "arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/ALIAS",
        "arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID1",
        "arn:aws:lex:us-east-1:123456789012:bot/ABCDEFGHI_",
        "arn:aws:lex:useast1:123456789012:bot/ABCDEFGHIJ",
        "arn:aws:lex:US-EAST-1:123456789012:bot/ABCDEFGHIJ",
        "arn:aws:lex:us-east-1:12345678901:bot/ABCDEFGHIJ",
        "arn:AWS:lex:us-east-1:123456789012:bot/ABCDEFGHIJ",
        "arn:awsx:lex:us-east-1:123456789012:bot/ABCDEFGHIJ",
        "arn:aws:lex:us-east-1:123456789012:bot/ABCDEFGHIJ/TSTALIASID",
        "arn:aws:lex:us-east-1:123456789012:bot:OrderPizza:prod",
    };

    [Theory]
    [MemberData(nameof(ArnsTheClientTypesReject))]
    public async Task ArnRejectedByTheClientsArnTypes_IsValidationException(string arn)
    {
        Assert.False(LexResourceArn.TryParse(arn, out _, out _));
        using var client = _emulator.CreateClient(o => { o.ValidateRequests = false; o.MaxRetries = 0; });
        var e = await Assert.ThrowsAsync<ValidationException>(() => client.DescribeResourcePolicyAsync(new() { ResourceArn = arn }));
        Assert.Contains(arn, e.Message, StringComparison.Ordinal);
    }

    /// <summary>Stricter than the client's types, as AWS is: only the three partitions Lex V2 runs in, each with its own regions.</summary>
    [Theory]
    [InlineData("arn:aws-iso:lex:us-iso-east-1:123456789012:bot/ABCDEFGHIJ", "partition")]
    [InlineData("arn:aws-cn:lex:us-east-1:123456789012:bot/ABCDEFGHIJ", "region")]
    [InlineData("arn:aws:lex:cn-north-1:123456789012:bot/ABCDEFGHIJ", "region")]
    [InlineData("arn:aws:lex:us-gov-west-1:123456789012:bot/ABCDEFGHIJ", "region")]
    public async Task ArnOutsideLexV2sPartitionsAndRegions_IsValidationException(string arn, string named)
    {
        using var client = _emulator.CreateClient(o => { o.ValidateRequests = false; o.MaxRetries = 0; });
        var e = await Assert.ThrowsAsync<ValidationException>(() => client.DescribeResourcePolicyAsync(new() { ResourceArn = arn }));
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("arn:aws:lex:us-east-1:123456789012:bot/ABCDEFGHIJ")]
    [InlineData("arn:aws:lex:ap-southeast-2:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID")]
    [InlineData("arn:aws-cn:lex:cn-north-1:123456789012:bot/0123456789")]
    [InlineData("arn:aws-us-gov:lex:us-gov-west-1:123456789012:bot-alias/abcdefghij/ABCDE12345")]
    public async Task ArnAcceptedByTheClientsArnTypes_IsAccepted(string arn)
    {
        Assert.True(LexResourceArn.TryParse(arn, out _, out _));
        using var client = _emulator.CreateClient(o => { o.Region = arn.Split(':')[3]; o.MaxRetries = 0; });
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.DescribeResourcePolicyAsync(new() { ResourceArn = arn })); // no policy yet: the ARN itself was accepted
    }
}
