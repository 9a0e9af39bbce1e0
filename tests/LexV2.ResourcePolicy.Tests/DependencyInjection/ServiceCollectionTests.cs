using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using RichardSzalay.MockHttp;

namespace LexV2.ResourcePolicy.Tests.DependencyInjection;

public class ServiceCollectionTests
{
    [Fact]
    public async Task AddLexPolicyClient_FromCode_ResolvesWorkingTypedClient()
    {
        var mock = new MockHttpMessageHandler();
        mock.Expect(HttpMethod.Get, $"https://models-v2-lex.eu-west-1.amazonaws.com/policy/{Uri.EscapeDataString(Fixtures.AliasArnIn("eu-west-1"))}/")
            .With(r => r.Headers.GetValues("Authorization").Single().Contains("/eu-west-1/lex/aws4_request", StringComparison.Ordinal))
            .Respond("application/json", """{"revisionId":"3"}""");
        var services = new ServiceCollection();
        services.AddLexPolicyClient(o => { o.Region = "eu-west-1"; o.Credentials = Fixtures.Credentials; })
            .ConfigurePrimaryHttpMessageHandler(() => mock);
        using var sp = services.BuildServiceProvider();

        var client = sp.GetRequiredService<ILexPolicyClient>();
        var response = await client.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArnIn("eu-west-1") });

        Assert.IsType<LexPolicyClient>(client);
        Assert.Equal("3", response.RevisionId);
        mock.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task AddLexPolicyClient_FromConfiguration_BindsPlainSettings()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LexPolicy:Region"] = "ap-southeast-2",
            ["LexPolicy:ServiceUrl"] = "http://127.0.0.1:9/",
            ["LexPolicy:MaxRetries"] = "0",
            ["LexPolicy:AttemptTimeout"] = "00:00:07",
            ["LexPolicy:ValidateRequests"] = "false",
        }).Build();
        var mock = new MockHttpMessageHandler();
        int calls = 0;
        mock.When("http://127.0.0.1:9/*")
            .With(r => r.Headers.GetValues("Authorization").Single().Contains("/ap-southeast-2/lex/", StringComparison.Ordinal))
            .Respond(_ => { calls++; return new HttpResponseMessage(HttpStatusCode.InternalServerError); });
        var services = new ServiceCollection();
        services.AddLexPolicyClient(config.GetSection("LexPolicy"), o => o.Credentials = Fixtures.Credentials)
            .ConfigurePrimaryHttpMessageHandler(() => mock);
        using var sp = services.BuildServiceProvider();

        var options = sp.GetRequiredService<IOptions<LexPolicyClientOptions>>().Value;
        var client = sp.GetRequiredService<ILexPolicyClient>();
        await Assert.ThrowsAsync<InternalServerException>(() => client.DescribeResourcePolicyAsync(new() { ResourceArn = "not-validated" }));

        Assert.Equal(TimeSpan.FromSeconds(7), options.AttemptTimeout);
        Assert.False(options.ValidateRequests);
        Assert.Equal(1, calls); // MaxRetries = 0 from configuration
    }

    [Fact]
    public async Task PlainConfigureOfTheOptions_AppliesToTheRegisteredClient()
    {
        var mock = new MockHttpMessageHandler();
        mock.Expect("https://models-v2-lex.sa-east-1.amazonaws.com/*").Respond("application/json", "{}");
        var services = new ServiceCollection();
        services.AddLexPolicyClient(o => o.Credentials = Fixtures.Credentials).ConfigurePrimaryHttpMessageHandler(() => mock);
        services.Configure<LexPolicyClientOptions>(o => o.Region = "sa-east-1");
        using var sp = services.BuildServiceProvider();

        await sp.GetRequiredService<ILexPolicyClient>().DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArnIn("sa-east-1") });

        mock.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task HttpClientFactoryTraceLogs_NeverShowTheSessionTokenOrSignature()
    {
        const string token = "SESSIONtokenNEVERlogged";
        var collector = new Microsoft.Extensions.Logging.Testing.FakeLogCollector();
        var mock = new MockHttpMessageHandler();
        string? auth = null;
        mock.When("*").With(r => { auth = r.Headers.GetValues("Authorization").Single(); return true; }).Respond("application/json", "{}");
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Trace).AddProvider(new Microsoft.Extensions.Logging.Testing.FakeLoggerProvider(collector)));
        services.AddLexPolicyClient(o => { o.Region = "us-east-1"; o.Credentials = new Amazon.Runtime.SessionAWSCredentials("AKIAEXAMPLE", "secretKEYneverLOGGED", token); })
            .ConfigurePrimaryHttpMessageHandler(() => mock);
        using var sp = services.BuildServiceProvider();

        await sp.GetRequiredService<ILexPolicyClient>().DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn });

        string all = string.Join("\n", collector.GetSnapshot().Select(r => r.Message));
        Assert.DoesNotContain("Request Headers", all); // HttpClientFactory's own header logging is off the client (it matches names only)...
        Assert.Contains("DescribeResourcePolicy attempt 1: HTTP 200", all, StringComparison.Ordinal); // ...the client logs each attempt
        Assert.DoesNotContain(token, all);
        Assert.DoesNotContain(auth!.Split("Signature=")[1], all);
        Assert.DoesNotContain("secretKEYneverLOGGED", all);
    }

    [Fact]
    public void InvalidOptions_FailValidationNamingTheSetting()
    {
        var services = new ServiceCollection();
        services.AddLexPolicyClient(o => { o.Region = "us-east-1"; o.MaxRetries = -1; });
        using var sp = services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptions<LexPolicyClientOptions>>().Value);

        Assert.Contains("MaxRetries", e.Message);
    }

    [Fact]
    public void MalformedConfigurationValue_NamesTheKey()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["MaxRetries"] = "three", ["Region"] = "us-east-1" }).Build();
        var services = new ServiceCollection();
        services.AddLexPolicyClient(config);
        using var sp = services.BuildServiceProvider();

        var e = Assert.Throws<InvalidOperationException>(() => sp.GetRequiredService<IOptions<LexPolicyClientOptions>>().Value);

        Assert.Contains("MaxRetries", e.Message);
    }

    [Theory]
    [InlineData("MaxRetries", "three", "System.Int32")]
    [InlineData("AttemptTimeout", "ten seconds", "System.TimeSpan")]
    [InlineData("UseFips", "yes", "System.Boolean")]
    [InlineData("RetryMode", "Fast", "LexV2.ResourcePolicy.LexRetryMode")]
    [InlineData("RetryBudget", "99999999999", "System.Int32")]
    public void MalformedConfigurationValue_FailsWithTheBindersMessage_NamingItsFullPath(string key, string value, string type)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["App:Lex:" + key] = value, ["App:Lex:Region"] = "us-east-1" }).Build();
        var services = new ServiceCollection();
        services.AddLexPolicyClient(config.GetSection("App:Lex"));
        using var sp = services.BuildServiceProvider();

        var e = Assert.Throws<InvalidOperationException>(() => sp.GetRequiredService<IOptions<LexPolicyClientOptions>>().Value);

        Assert.Equal($"Failed to convert configuration value at 'App:Lex:{key}' to type '{type}'.", e.Message);
        Assert.NotNull(e.InnerException);
        Assert.DoesNotContain(value, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigurationValues_ParseAsTheBinderParsesThem_AndEmptyValuesLeaveDefaults()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Region"] = "us-east-1", ["RetryMode"] = "ADAPTIVE", ["UseFips"] = "True", ["MaxRetries"] = "", ["AttemptTimeout"] = "",
            ["BaseRetryDelay"] = "00:00:00.250", ["OverallTimeout"] = "1.00:00:00", ["ValidateRequests"] = " false ",
        }).Build();
        var services = new ServiceCollection();
        services.AddLexPolicyClient(config);
        using var sp = services.BuildServiceProvider();

        var o = sp.GetRequiredService<IOptions<LexPolicyClientOptions>>().Value;

        Assert.Equal((LexRetryMode?)LexRetryMode.Adaptive, o.RetryMode);
        Assert.True(o.UseFips);
        Assert.Equal(3, o.MaxRetries);                               // empty: unset, the default
        Assert.Equal(TimeSpan.FromSeconds(30), o.AttemptTimeout);    // empty: unset, the default
        Assert.Equal(TimeSpan.FromMilliseconds(250), o.BaseRetryDelay);
        Assert.Equal(TimeSpan.FromDays(1), o.OverallTimeout);
        Assert.False(o.ValidateRequests);
    }

    /// <summary>A user handler that adds a header after the signature would have been computed if the signer were not innermost.</summary>
    private sealed class StampingHandler : DelegatingHandler
    {
        public int Calls { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Calls++;
            request.Headers.Remove("x-amz-meta-stamp");
            request.Headers.TryAddWithoutValidation("x-amz-meta-stamp", Calls.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task UserHandlersAndStandardResilience_RunBeforeSigning_AndEveryAttemptIsFreshlySigned()
    {
        var time = new TrackingClock(Fixtures.Now); // the standard handler's timeouts run on it too: it moves only while the call waits
        var mock = new MockHttpMessageHandler();
        var seen = new List<(string Auth, string Stamp, string Date)>();
        int n = 0;
        mock.When("*").With(r =>
        {
            seen.Add((r.Headers.GetValues("Authorization").Single(), r.Headers.GetValues("x-amz-meta-stamp").Single(), r.Headers.GetValues("X-Amz-Date").Single()));
            return true;
        }).Respond(_ => ++n < 3 ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{}") });

        var stamping = new StampingHandler();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        var builder = services.AddLexPolicyClient(o => { o.Region = "us-east-1"; o.Credentials = Fixtures.Credentials; o.MaxRetries = 0; });
        builder.AddStandardResilienceHandler(o =>
        {
            o.Retry.Delay = TimeSpan.Zero;
            o.Retry.MaxRetryAttempts = 3;
            o.Retry.UseJitter = false;
        });
        builder.AddHttpMessageHandler(() => stamping);
        builder.ConfigurePrimaryHttpMessageHandler(() => mock);
        using var sp = services.BuildServiceProvider();

        var client = sp.GetRequiredService<ILexPolicyClient>();
        await time.DriveAsync(client.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn }), TimeSpan.FromSeconds(1));
        Assert.Equal(3, seen.Count);
        Assert.Equal(["1", "2", "3"], seen.Select(s => s.Stamp));
        Assert.Equal(3, seen.Select(s => s.Auth).Distinct().Count());
        Assert.All(seen, s => Assert.Contains("x-amz-meta-stamp", s.Auth));
    }
}
