using System.Net;
using Amazon.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RichardSzalay.MockHttp;

namespace LexV2.ResourcePolicy.Tests.DependencyInjection;

/// <summary>Several clients in one container: each name has its own options, credentials, retry budget and handler chain.</summary>
public class NamedClientTests
{
    private sealed record Seen(string Host, string Authorization);

    private static (ServiceProvider Provider, List<Seen> Seen) TwoRegions()
    {
        var seen = new List<Seen>();
        var mock = new MockHttpMessageHandler();
        mock.When("*").With(r => { lock (seen) { seen.Add(new(r.RequestUri!.Host, r.Headers.GetValues("Authorization").Single())); } return true; })
            .Respond(HttpStatusCode.ServiceUnavailable);
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Lex:Europe:Region"] = "eu-west-1",
            ["Lex:Europe:MaxRetries"] = "0",
            ["Lex:Europe:RetryBudget"] = "5",
            ["Lex:Europe:AttemptTimeout"] = "00:00:09",
        }).Build();
        var services = new ServiceCollection();
        services.AddLexPolicyClient("europe", config.GetSection("Lex:Europe"), o => o.Credentials = new BasicAWSCredentials("AKIAEUROPEACCOUNT", "secret-eu"))
            .ConfigurePrimaryHttpMessageHandler(() => mock);
        services.AddLexPolicyClient("us", o =>
        {
            o.Region = "us-west-2";
            o.Credentials = new BasicAWSCredentials("AKIAUSACCOUNTKEY", "secret-us");
            o.MaxRetries = 2;
            o.BaseRetryDelay = TimeSpan.FromMilliseconds(1);
            o.MaxRetryDelay = TimeSpan.FromMilliseconds(1);
        }).ConfigurePrimaryHttpMessageHandler(() => mock);
        return (services.BuildServiceProvider(), seen);
    }

    [Fact]
    public async Task NamedClients_HaveTheirOwnRegionCredentialsAndRetries_ByFactoryAndAsKeyedServices()
    {
        var (provider, seen) = TwoRegions();
        await using var _ = provider;
        var factory = provider.GetRequiredService<ILexPolicyClientFactory>();
        ILexPolicyClient europe = factory.CreateClient("europe");
        ILexPolicyClient us = provider.GetRequiredKeyedService<ILexPolicyClient>("us");

        var eu = await Assert.ThrowsAnyAsync<LexPolicyException>(() => europe.DescribeResourcePolicyAsync(new() { ResourceArn = "arn:aws:lex:eu-west-1:123456789012:bot/ABCDEFGHIJ" }));
        var am = await Assert.ThrowsAnyAsync<LexPolicyException>(() => us.DescribeResourcePolicyAsync(new() { ResourceArn = "arn:aws:lex:us-west-2:123456789012:bot/ABCDEFGHIJ" }));

        Assert.Equal(1, eu.Attempts);  // MaxRetries 0 from its configuration section
        Assert.Equal(3, am.Attempts);  // MaxRetries 2 from code
        Assert.Equal(1, seen.Count(s => s.Host == "models-v2-lex.eu-west-1.amazonaws.com" && s.Authorization.Contains("AKIAEUROPEACCOUNT/", StringComparison.Ordinal) && s.Authorization.Contains("/eu-west-1/lex/", StringComparison.Ordinal)));
        Assert.Equal(3, seen.Count(s => s.Host == "models-v2-lex.us-west-2.amazonaws.com" && s.Authorization.Contains("AKIAUSACCOUNTKEY/", StringComparison.Ordinal) && s.Authorization.Contains("/us-west-2/lex/", StringComparison.Ordinal)));
        Assert.Equal(TimeSpan.FromSeconds(9), provider.GetRequiredService<IOptionsMonitor<LexPolicyClientOptions>>().Get("europe").AttemptTimeout);
    }

    [Fact]
    public async Task NamedClients_DoNotShareARetryBudget()
    {
        var (provider, seen) = TwoRegions();
        await using var _ = provider;
        var factory = provider.GetRequiredService<ILexPolicyClientFactory>();

        // "europe" has a budget of 5 tokens but no retries; "us" has the default budget: spending nothing on europe's side
        // must not change us's retries, and each keeps its own count.
        for (int i = 0; i < 3; i++)
        {
            var e = await Assert.ThrowsAnyAsync<LexPolicyException>(() => factory.CreateClient("us").DescribeResourcePolicyAsync(new() { ResourceArn = "arn:aws:lex:us-west-2:123456789012:bot/ABCDEFGHIJ" }));
            Assert.Equal(3, e.Attempts);
        }

        var runtimes = provider.GetRequiredService<LexV2.ResourcePolicy.DependencyInjection.LexClientRuntimes>();
        Assert.NotSame(runtimes.Get("us"), runtimes.Get("europe"));
        Assert.Equal(5, runtimes.Get("europe").Budget.Available);
        Assert.Equal(500 - (3 * 2 * 5), runtimes.Get("us").Budget.Available);
        Assert.Same(runtimes.Get("us"), runtimes.Get("us"));
    }

    [Fact]
    public void UnknownName_IsAClearError_AndInvalidNamedOptionsFailAtStart()
    {
        var services = new ServiceCollection();
        services.AddLexPolicyClient("good", o => o.Region = "us-east-1");
        services.AddLexPolicyClient("bad", o => { o.Region = "us-east-1"; o.MaxRetries = 99; });
        using var provider = services.BuildServiceProvider();

        var unknown = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ILexPolicyClientFactory>().CreateClient("missing"));
        Assert.Contains("'missing'", unknown.Message, StringComparison.Ordinal);
        var invalid = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<LexPolicyClientOptions>>().Get("bad"));
        Assert.Contains("MaxRetries", invalid.Message, StringComparison.Ordinal);
        Assert.Equal("us-east-1", provider.GetRequiredService<IOptionsMonitor<LexPolicyClientOptions>>().Get("good").Region);
    }

    [Fact]
    public void EveryConfigurableOption_IsReadFromConfiguration_EachKeyOnItsOwn()
    {
        // Guards the configuration reader against drift: a new option must be read from configuration, or deliberately
        // excluded here. Each option alone, with a value of its type that differs from the default, must change it.
        var excluded = new HashSet<string> { nameof(LexPolicyClientOptions.Credentials) };
        var defaults = new LexPolicyClientOptions();
        var settable = typeof(LexPolicyClientOptions).GetProperties().Where(p => p.CanWrite && p.SetMethod!.IsPublic && !excluded.Contains(p.Name)).ToList();
        Assert.Equal(16, settable.Count);
        foreach (var property in settable)
        {
            Type type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            string value = type == typeof(string) ? "eu-north-1"
                : type == typeof(Uri) ? "http://127.0.0.1:5000/"
                : type == typeof(bool) ? (!(bool)property.GetValue(defaults)!).ToString()
                : type == typeof(int) ? "7"
                : type == typeof(TimeSpan) ? "00:00:07.5"
                : type == typeof(LexRetryMode) ? "adaptive"
                : throw new InvalidOperationException($"No sample value for {property.Name} ({type})");
            var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Lex:" + property.Name] = value }).Build();
            var o = new LexPolicyClientOptions();
            LexV2.ResourcePolicy.DependencyInjection.BoundSettings.From(config.GetSection("Lex")).ApplyTo(o);

            Assert.True(!Equals(property.GetValue(defaults), property.GetValue(o)), $"{property.Name} = {value} in configuration did not change the option.");
        }
    }

    [Fact]
    public void EveryConfigurableOption_BindsFromConfiguration_AllTogether()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Region"] = "eu-north-1", ["ServiceUrl"] = "http://127.0.0.1:5000/", ["Profile"] = "default", ["UseFips"] = "false", ["UseDualStack"] = "false",
            ["MaxRetries"] = "7", ["RetryMode"] = "Adaptive", ["BaseRetryDelay"] = "00:00:00.1", ["MaxRetryDelay"] = "00:00:03",
            ["MaxRetryAfter"] = "00:00:04", ["AttemptTimeout"] = "00:00:05", ["OverallTimeout"] = "00:00:06", ["RetryBudget"] = "77",
            ["ValidateRequests"] = "false", ["RejectLintFindings"] = "true", ["ApplicationName"] = "app-1",
        }).Build();
        var services = new ServiceCollection();
        services.AddLexPolicyClient("all", config);
        using var provider = services.BuildServiceProvider();
        var o = provider.GetRequiredService<IOptionsMonitor<LexPolicyClientOptions>>().Get("all");

        Assert.Equal(("eu-north-1", "http://127.0.0.1:5000/", "default", 7, LexRetryMode.Adaptive), (o.Region, o.ServiceUrl!.ToString(), o.Profile, o.MaxRetries, o.RetryMode));
        Assert.Equal((TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(6)), (o.BaseRetryDelay, o.MaxRetryDelay, o.MaxRetryAfter, o.AttemptTimeout, o.OverallTimeout));
        Assert.Equal((77, false, true, "app-1"), (o.RetryBudget, o.ValidateRequests, o.RejectLintFindings, o.ApplicationName));
    }
}
