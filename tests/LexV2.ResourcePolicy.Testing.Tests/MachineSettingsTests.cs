using System.Net;
using LexV2.ResourcePolicy.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace LexV2.ResourcePolicy.Testing.Tests;

[CollectionDefinition(nameof(MachineSettingsTests), DisableParallelization = true)]
public sealed class MachineSettingsGroup;

/// <summary>
/// A client over the emulator behaves alike on every machine: the shared AWS settings of the machine running the tests (its
/// environment, its <c>~/.aws/config</c>) do not change how it retries. These tests set process-wide environment variables,
/// so they run alone.
/// </summary>
[Collection(nameof(MachineSettingsTests))]
public class MachineSettingsTests
{
    private const string Alias = "arn:aws:lex:eu-west-2:123456789012:bot-alias/BOTID12345/TSTALIASID";

    /// <summary>A developer's machine: no retries for the AWS CLI (<c>max_attempts</c> 1), and a retry mode this client does not know.</summary>
    private static readonly Dictionary<string, string?> DeveloperMachine = new() { ["AWS_MAX_ATTEMPTS"] = "1", ["AWS_RETRY_MODE"] = "fast" };

    [Fact]
    public async Task UseLexPolicyEmulator_RetriesAsTheApplicationSaysOrTheDefault_NotAsTheMachinesAwsSettingsSay()
    {
        using var machine = new EnvironmentScope(DeveloperMachine);
        var emulator = new LexPolicyEmulator();
        var services = new ServiceCollection();
        services.AddLexPolicyClient(o => (o.Region, o.BaseRetryDelay) = ("eu-west-2", TimeSpan.FromMilliseconds(1))).UseLexPolicyEmulator(emulator);
        services.AddLexPolicyClient("no-retries", o => (o.Region, o.MaxRetries) = ("eu-west-2", 0)).UseLexPolicyEmulator(emulator);
        using var sp = services.BuildServiceProvider();

        emulator.Faults.FailNext(1, HttpStatusCode.ServiceUnavailable);
        var retried = await Assert.ThrowsAsync<ResourceNotFoundException>(() => sp.GetRequiredService<ILexPolicyClient>().DescribeResourcePolicyAsync(new() { ResourceArn = Alias }));
        emulator.Faults.FailNext(1, HttpStatusCode.ServiceUnavailable);
        var notRetried = await Assert.ThrowsAsync<LexPolicyException>(() => sp.GetRequiredService<ILexPolicyClientFactory>().CreateClient("no-retries").DescribeResourcePolicyAsync(new() { ResourceArn = Alias }));

        Assert.Equal(2, retried.Attempts);                               // the default's retries, not AWS_MAX_ATTEMPTS=1
        Assert.Equal((HttpStatusCode.ServiceUnavailable, 1), (notRetried.StatusCode, notRetried.Attempts)); // the application's MaxRetries = 0
    }

    [Fact]
    public async Task CreateClient_RetriesAsTheDefaultSays_NotAsTheMachinesAwsSettingsSay()
    {
        using var machine = new EnvironmentScope(DeveloperMachine);
        var emulator = new LexPolicyEmulator();
        using var client = emulator.CreateClient(o => o.BaseRetryDelay = TimeSpan.FromMilliseconds(1));

        emulator.Faults.FailNext(1, HttpStatusCode.ServiceUnavailable);
        var e = await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.DescribeResourcePolicyAsync(new() { ResourceArn = "arn:aws:lex:us-east-1:123456789012:bot/BOTID12345" }));

        Assert.Equal(2, e.Attempts);
    }
}
