using System.Net;
using System.Text;
using Amazon.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RichardSzalay.MockHttp;

namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>
/// The testing recipes of the package READMEs, as an application's tests use them: the application registers its clients from
/// settings meant for production (an AWS profile, a VPC endpoint, FIPS), and the test puts the emulator or MockHttp under those
/// clients afterwards, as <c>ConfigureTestServices</c> does under <c>WebApplicationFactory</c>, then starts the host.
/// </summary>
public class AppTestingRecipesTests
{
    /// <summary>Production settings: a profile this machine does not have, FIPS, a VPC endpoint.</summary>
    private const string AppSettings = """
        {
          "LexPolicy": { "Region": "eu-west-2", "Profile": "prod-deployer-not-on-this-machine", "UseFips": true, "MaxRetries": 1 },
          "Lex": {
            "Prod": {
              "Region": "eu-west-1",
              "Profile": "prod-deployer-not-on-this-machine",
              "ServiceUrl": "https://vpce-0123456789abcdef0-abcdefgh.models-v2-lex.eu-west-1.vpce.amazonaws.com"
            }
          }
        }
        """;

    private const string Alias = "arn:aws:lex:eu-west-2:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID";
    private const string ProdBot = "arn:aws:lex:eu-west-1:123456789012:bot/ABCDEFGHIJ";

    /// <summary>The application's own service, using the default client and the named client "prod".</summary>
    private sealed class BotProvisioning(ILexPolicyClient lex, [FromKeyedServices("prod")] ILexPolicyClient prod)
    {
        public async Task<(StatementChange Alias, StatementChange Bot)> GrantAsync()
        {
            var alias = await lex.EnsureStatementAsync(LexGrant.ConnectInstance(BotAliasArn.Parse(Alias), "arn:aws:connect:eu-west-2:123456789012:instance/abc"));
            var bot = await prod.EnsureStatementAsync(LexGrant.IamPrincipal(BotArn.Parse(ProdBot), "arn:aws:iam::123456789012:role/deployer", "Deployer"));
            return (alias.Change, bot.Change);
        }

        public Task<DescribeResourcePolicyResponse> DescribeProdAsync() => prod.DescribeResourcePolicyAsync(new() { ResourceArn = ProdBot });
    }

    /// <summary>The application's registrations (its Program.cs), from its configuration.</summary>
    private static void AddAppServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddLexPolicyClient(configuration.GetSection("LexPolicy"));
        services.AddLexPolicyClient("prod", configuration.GetSection("Lex:Prod"));
        services.AddTransient<BotProvisioning>();
    }

    /// <summary>
    /// The application's host with its production settings; <paramref name="testServices"/> runs after the application's
    /// registrations (<c>ConfigureTestServices</c>), or before them when <paramref name="testServicesFirst"/> (a test host's
    /// <c>ConfigureServices</c> under an <c>IWebHost</c> with a <c>Startup</c>, or an early host-builder hook).
    /// </summary>
    private static IHost AppHost(Action<IServiceCollection> testServices, bool testServicesFirst = false)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(AppSettings)));
        if (testServicesFirst)
        {
            testServices(builder.Services);
        }

        AddAppServices(builder.Services, builder.Configuration);
        if (!testServicesFirst)
        {
            testServices(builder.Services);
        }

        return builder.Build();
    }

    [Fact]
    public async Task ProductionSettings_WithoutTheEmulator_FailHostStart_NamingTheProfile()
    {
        // What the recipes below replace: without them, the profile of the production settings fails the host's start.
        using var host = AppHost(_ => { });

        var e = await Assert.ThrowsAsync<AggregateException>(() => host.StartAsync());

        Assert.Equal(2, e.InnerExceptions.Count); // both clients
        Assert.All(e.InnerExceptions, inner => Assert.Contains("AWS profile 'prod-deployer-not-on-this-machine'", Assert.IsType<OptionsValidationException>(inner).Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task UseLexPolicyEmulator_UnderClientsTheAppRegistered_ReplacesProfileEndpointAndCredentials_SoTheHostStarts()
    {
        var emulator = new LexPolicyEmulator();
        using var host = AppHost(services =>
        {
            services.AddHttpClient(LexPolicyServiceCollectionExtensions.HttpClientName).UseLexPolicyEmulator(emulator);
            services.AddHttpClient(LexPolicyServiceCollectionExtensions.HttpClientNameFor("prod")).UseLexPolicyEmulator(emulator);
        });

        await host.StartAsync();
        var changes = await host.Services.GetRequiredService<BotProvisioning>().GrantAsync();
        await host.StopAsync();

        Assert.Equal((StatementChange.Added, StatementChange.Added), changes);
        Assert.Equal(1, emulator.GetPolicy(Alias)!.StatementCount);
        Assert.Equal(1, emulator.GetPolicy(ProdBot)!.StatementCount);
        Assert.All(emulator.Requests, r => Assert.NotEqual(HttpStatusCode.Forbidden, r.Status));
        Assert.All(emulator.Requests, r => Assert.StartsWith("AWS4-HMAC-SHA256 Credential=" + LexPolicyEmulatorOptions.ExampleAccessKey + "/", r.Headers["authorization"], StringComparison.Ordinal));
        // Each client keeps its region (the emulator accepts any): what the application's code and ARNs expect.
        Assert.Contains(emulator.Requests, r => r.Headers["authorization"].Contains("/eu-west-2/lex/", StringComparison.Ordinal));
        Assert.Contains(emulator.Requests, r => r.Headers["authorization"].Contains("/eu-west-1/lex/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UseLexPolicyEmulator_BeforeTheAppRegistersItsClients_StillReplacesTheTransport()
    {
        // The application's AddLexPolicyClient comes after the test's registration and sets the client's transport (the
        // real one, to AWS): the emulator must stay the transport, or the test's requests go to AWS.
        var emulator = new LexPolicyEmulator();
        using var host = AppHost(
            services =>
            {
                services.AddHttpClient(LexPolicyServiceCollectionExtensions.HttpClientName).UseLexPolicyEmulator(emulator);
                services.AddHttpClient(LexPolicyServiceCollectionExtensions.HttpClientNameFor("prod")).UseLexPolicyEmulator(emulator);
            },
            testServicesFirst: true);

        // Checked on the handler chains first, so that nothing is sent to AWS when the emulator is not under the clients.
        var handlers = host.Services.GetRequiredService<IHttpMessageHandlerFactory>();
        Assert.Same(emulator, PrimaryHandler(handlers.CreateHandler(LexPolicyServiceCollectionExtensions.HttpClientName)));
        Assert.Same(emulator, PrimaryHandler(handlers.CreateHandler(LexPolicyServiceCollectionExtensions.HttpClientNameFor("prod"))));

        await host.StartAsync();
        var changes = await host.Services.GetRequiredService<BotProvisioning>().GrantAsync();
        await host.StopAsync();

        Assert.Equal((StatementChange.Added, StatementChange.Added), changes);
    }

    private static HttpMessageHandler PrimaryHandler(HttpMessageHandler handler)
    {
        while (handler is DelegatingHandler { InnerHandler: { } inner })
        {
            handler = inner;
        }

        return handler;
    }

    [Fact]
    public async Task UseLexPolicyEmulator_SignsWithTheEmulatorsOwnCredentials_AndForTheRegionItRequires()
    {
        // A resource of the emulator's region: the client refuses an ARN of another region than it signs for.
        const string CentralBot = "arn:aws:lex:eu-central-1:123456789012:bot/ABCDEFGHIJ";
        var options = new LexPolicyEmulatorOptions { Region = "eu-central-1" };
        options.Credentials.Clear();
        options.Credentials["AKIDTESTSUITE"] = "a-secret-of-the-test-suite";
        var emulator = new LexPolicyEmulator(options);
        using var host = AppHost(services => services.AddHttpClient(LexPolicyServiceCollectionExtensions.HttpClientNameFor("prod")).UseLexPolicyEmulator(emulator));

        var described = Assert.ThrowsAsync<ResourceNotFoundException>(() => host.Services.GetRequiredService<ILexPolicyClientFactory>().CreateClient("prod").DescribeResourcePolicyAsync(new() { ResourceArn = CentralBot }));

        await described; // 404: no policy yet, and the request was accepted (a 403 would be another exception)
        var request = Assert.Single(emulator.Requests);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDTESTSUITE/", request.Headers["authorization"], StringComparison.Ordinal);
        Assert.Contains("/eu-central-1/lex/aws4_request", request.Headers["authorization"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task MockHttp_BehindANamedClientTheAppRegistered_ThroughHttpClientNameFor()
    {
        var mock = new MockHttpMessageHandler();
        mock.Expect(HttpMethod.Get, "https://vpce-0123456789abcdef0-abcdefgh.models-v2-lex.eu-west-1.vpce.amazonaws.com/policy/*")
            .Respond("application/json", $$"""{"resourceArn":"{{ProdBot}}","revisionId":"7"}""");
        using var host = AppHost(services =>
        {
            services.AddHttpClient(LexPolicyServiceCollectionExtensions.HttpClientName).UseLexPolicyEmulator(new LexPolicyEmulator());
            services.AddHttpClient(LexPolicyServiceCollectionExtensions.HttpClientNameFor("prod")).ConfigurePrimaryHttpMessageHandler(() => mock);
            // MockHttp replaces the transport only: the client still signs, so it needs credentials instead of the profile.
            services.PostConfigure<LexPolicyClientOptions>("prod", o => (o.Profile, o.Credentials) = (null, new BasicAWSCredentials("AKIDEXAMPLE", "not-a-secret")));
        });

        await host.StartAsync();
        var described = await host.Services.GetRequiredService<BotProvisioning>().DescribeProdAsync();
        await host.StopAsync();

        Assert.Equal("7", described.RevisionId);
        mock.VerifyNoOutstandingExpectation();
        Assert.Equal("LexV2.ResourcePolicy:prod", LexPolicyServiceCollectionExtensions.HttpClientNameFor("prod"));
    }
}
