using System.Text.RegularExpressions;
using static LexV2.ResourcePolicy.Tool.Tests.Commands.PlanApplyCommandTests;

namespace LexV2.ResourcePolicy.Tool.Tests.Commands;

/// <summary>
/// Issue #22, point 4: a resource ARN carries its region. plan, apply and show use one client per region (the region's endpoint,
/// signed for it) without --region; with --region, an ARN in another region is an error naming both, for the whole file at once
/// and before anything is sent; an explicit endpoint with resources in several regions is refused.
/// </summary>
[Trait("Issue", "22")]
public partial class RegionTests
{
    private const string West = "arn:aws:lex:eu-west-1:123456789012:bot-alias/ABCDEFGHIJ/WESTALIAS1";
    private const string WestBot = "arn:aws:lex:eu-west-1:123456789012:bot/ABCDEFGHIJ";

    /// <summary>The usual file, plus two resources in eu-west-1.</summary>
    private static string TwoRegions() => Desired().Replace("\"resources\": [", $$"""
        "resources": [
            { "resourceArn": "{{West}}", "statements": [ { "statementId": "Ops", "effect": "Allow", "principal": [ { "arn": "arn:aws:iam::123456789012:role/ops" } ], "action": [ "lex:RecognizeText" ] } ] },
            { "resourceArn": "{{WestBot}}", "statements": [ { "statementId": "Ops", "effect": "Allow", "principal": [ { "arn": "arn:aws:iam::123456789012:role/ops" } ], "action": [ "lex:DescribeBot" ] } ] },
        """, StringComparison.Ordinal);

    [Fact]
    public async Task PlanAndApply_AFileSpanningRegions_SendsEachResourceToItsRegion_SignedForIt()
    {
        using var tool = new ToolHarness();
        string file = tool.File_("regions.json", TwoRegions());

        var apply = await tool.RunAsync("apply", "--file", file, "--auto-approve");

        Assert.True(apply.Code == 0, apply.Err);
        Assert.Contains("Apply: 5 applied", apply.Out, StringComparison.Ordinal);
        Assert.NotEmpty(tool.Emulator.Requests);
        foreach (var request in tool.Emulator.Requests)
        {
            string region = LexResourceArn.Parse(request.ResourceArn!).Region;
            Assert.Equal($"models-v2-lex.{region}.amazonaws.com", request.Headers["host"]);
            Assert.Equal(region, ScopeRegion().Match(request.Headers["authorization"]).Groups[1].Value);
        }

        Assert.Contains(tool.Emulator.Requests, r => r.Headers["host"].Contains("eu-west-1", StringComparison.Ordinal));
        var show = await tool.RunAsync("show", West);
        Assert.Equal(0, show.Code);
        Assert.Equal("models-v2-lex.eu-west-1.amazonaws.com", tool.Emulator.Requests[^1].Headers["host"]);
    }

    [Fact]
    public async Task Region_GivenAndAnArnElsewhere_EveryMismatchIsNamed_WithBothRegions_NothingSent()
    {
        using var tool = new ToolHarness();
        string file = tool.File_("regions.json", TwoRegions());

        string err = await tool.AssertRefusedAsync(
            $"error: {file}: $.resources[0].resourceArn: {West} is in eu-west-1, but --region is us-east-1: a resource's policy lives in its own region.",
            "plan", "--file", file, "--region", "us-east-1");

        Assert.Contains($"error: {file}: $.resources[1].resourceArn: {WestBot} is in eu-west-1, but --region is us-east-1", err, StringComparison.Ordinal);
        Assert.Contains("Nothing was sent.", err, StringComparison.Ordinal);
        await tool.AssertRefusedAsync($"error: {West} is in eu-west-1, but --region is us-east-1", "show", West, "--region", "us-east-1");
    }

    [Fact]
    public async Task EndpointUrl_WithResourcesInTwoRegions_IsRefused_NothingSent()
    {
        using var tool = new ToolHarness();
        string file = tool.File_("regions.json", TwoRegions());

        await tool.AssertRefusedAsync(
            "error: --endpoint-url http://127.0.0.1:4566/ sends every call to one endpoint, but the resources are in 2 regions (eu-west-1, us-east-1)",
            "apply", "--file", file, "--auto-approve", "--endpoint-url", "http://127.0.0.1:4566");
    }

    [Fact]
    public async Task EndpointUrl_WithOneRegion_SignsForTheResourcesRegion_NotTheProfiles()
    {
        using var tool = new ToolHarness();

        var show = await tool.RunAsync("show", West, "--endpoint-url", "http://127.0.0.1:4566");

        Assert.Equal(0, show.Code);
        Assert.Equal("eu-west-1", ScopeRegion().Match(tool.Emulator.Requests.Single().Headers["authorization"]).Groups[1].Value);
    }

    [GeneratedRegex(@"Credential=[^/]+/\d{8}/([a-z0-9-]+)/")]
    private static partial Regex ScopeRegion();
}
