using LexV2.ResourcePolicy.TestSupport;
using static LexV2.ResourcePolicy.Tool.Tests.Commands.PlanApplyCommandTests;

namespace LexV2.ResourcePolicy.Tool.Tests.Commands;

/// <summary>The tests of this class set process environment variables: they run alone.</summary>
[CollectionDefinition(nameof(MachineRetrySettingsTests), DisableParallelization = true)]
public sealed class MachineRetrySettingsGroup;

/// <summary>
/// Issue #22, hostile review: a bad retry setting of the machine (AWS_MAX_ATTEMPTS, AWS_RETRY_MODE) is refused naming it, before
/// anything is sent, and the message says which flag overrides it (it said "Use --region, --profile or --endpoint-url").
/// </summary>
[Trait("Issue", "22")]
[Collection(nameof(MachineRetrySettingsTests))]
public class MachineRetrySettingsTests
{
    [Theory]
    [InlineData("AWS_MAX_ATTEMPTS", "0", "--max-attempts", "2")]
    [InlineData("AWS_MAX_ATTEMPTS", "abc", "--max-attempts", "2")]
    [InlineData("AWS_RETRY_MODE", "fast", "--retry-mode", "standard")]
    public async Task ABadRetrySettingOfTheMachine_IsNamed_WithTheFlagThatOverridesIt_NothingSent(string variable, string value, string flag, string fix)
    {
        using var scope = new EnvironmentScope(new() { [variable] = value });
        using var tool = new ToolHarness();

        string err = await tool.AssertRefusedAsync($"error: {variable} is '{value}': expected ", "show", Alias);

        Assert.Contains($"Correct it, or override it with {flag}", err, StringComparison.Ordinal);
        Assert.DoesNotContain("Use --region, --profile or --endpoint-url", err, StringComparison.Ordinal);
        var overridden = await tool.RunAsync("show", Alias, flag, fix);
        Assert.True(overridden.Code == 0, overridden.Err);
    }
}
