using System.Net;
using LexV2.ResourcePolicy.Configuration;
using LexV2.ResourcePolicy.Tests.Signing;
using LexV2.ResourcePolicy.Tests.Wire;
using LexV2.ResourcePolicy.TestSupport;
using RichardSzalay.MockHttp;

namespace LexV2.ResourcePolicy.Tests.Configuration;

/// <summary>
/// Endpoint and retry settings come from where every AWS SDK takes them: explicit options, then environment variables, then the
/// profile of the shared config file. Config files are temporary; the environment is a dictionary (never the real ~/.aws).
/// </summary>
public sealed class SharedConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lexpolicy-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string ConfigFile(string text)
    {
        string path = Path.Combine(_dir, "config");
        File.WriteAllText(path, text);
        return path;
    }

    private static ClientSettings Resolve(LexPolicyClientOptions options, Dictionary<string, string?> env) =>
        ClientSettings.Resolve(options, SharedConfig.Load(options.Profile, n => env.TryGetValue(n, out var v) ? v : null));

    private const string Config = """
        [default]
        region = eu-west-2
        endpoint_url = http://profile-endpoint.example:4566
        max_attempts = 5
        retry_mode = adaptive

        [profile dev]
        region = ap-south-1
        # a comment on a line of its own (the AWS CLI has no end-of-line comments)
        services = local-lex
        endpoint_url = http://dev-profile-endpoint.example:9000

        [services local-lex]
        lex_models_v2 =
          endpoint_url = http://127.0.0.1:4566
        s3 =
          endpoint_url = http://127.0.0.1:9999

        [profile ignoring]
        region = us-west-2
        endpoint_url = http://never.example
        ignore_configured_endpoint_urls = true

        [profile other-service-only]
        services = only-s3
        endpoint_url = https://vpce-1a2b.models-v2-lex.eu-central-1.vpce.amazonaws.com

        [services only-s3]
        s3 =
          endpoint_url = http://127.0.0.1:9999
        """;

    public static TheoryData<string, string, string> EndpointCases => new()
    {
        // which sources are present (S = service env, G = global env, V = services section, P = profile endpoint_url), expected URL, expected source
        { "SGVP", "http://service-env.example:1/", "AWS_ENDPOINT_URL_LEX_MODELS_V2" },
        { "GVP", "http://global-env.example:2/", "AWS_ENDPOINT_URL" },
        { "VP", "http://127.0.0.1:4566/", "services section 'local-lex'" },
        { "P", "http://profile-endpoint.example:4566/", "endpoint_url of profile 'default'" },
    };

    [Theory]
    [MemberData(nameof(EndpointCases))]
    public void Endpoint_ComesFromTheFirstConfiguredSource_InTheSdksOrder(string sources, string expected, string sourceText)
    {
        var env = new Dictionary<string, string?> { ["AWS_CONFIG_FILE"] = ConfigFile(Config) };
        if (sources.Contains('S', StringComparison.Ordinal))
        {
            env["AWS_ENDPOINT_URL_LEX_MODELS_V2"] = "http://service-env.example:1";
        }

        if (sources.Contains('G', StringComparison.Ordinal))
        {
            env["AWS_ENDPOINT_URL"] = "http://global-env.example:2";
        }

        if (sources.Contains('V', StringComparison.Ordinal))
        {
            env["AWS_PROFILE"] = "dev";
        }

        var settings = Resolve(new LexPolicyClientOptions(), env);

        Assert.Equal(expected, settings.Endpoint.ToString());
        Assert.Contains(sourceText, settings.EndpointSource, StringComparison.Ordinal);
    }

    [Fact]
    public void ExplicitServiceUrl_AlwaysWins()
    {
        var env = new Dictionary<string, string?> { ["AWS_CONFIG_FILE"] = ConfigFile(Config), ["AWS_ENDPOINT_URL_LEX_MODELS_V2"] = "http://service-env.example:1" };
        var settings = Resolve(new LexPolicyClientOptions { ServiceUrl = new Uri("http://explicit.example:7/") }, env);
        Assert.Equal("http://explicit.example:7/", settings.Endpoint.ToString());
        Assert.Equal("LexPolicyClientOptions.ServiceUrl", settings.EndpointSource);
    }

    [Theory]
    [InlineData("env")]
    [InlineData("profile")]
    public void IgnoreConfiguredEndpointUrls_TurnsEveryConfiguredEndpointOff(string where)
    {
        var env = new Dictionary<string, string?> { ["AWS_CONFIG_FILE"] = ConfigFile(Config), ["AWS_ENDPOINT_URL"] = "http://global-env.example:2", ["AWS_ENDPOINT_URL_LEX_MODELS_V2"] = "http://service-env.example:1" };
        if (where == "env")
        {
            env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true";
        }
        else
        {
            env["AWS_PROFILE"] = "ignoring";
        }

        var settings = Resolve(new LexPolicyClientOptions(), env);

        Assert.Equal(ClientSettings.RegionalEndpoint, settings.EndpointSource);
        Assert.Equal(where == "env" ? "https://models-v2-lex.eu-west-2.amazonaws.com/" : "https://models-v2-lex.us-west-2.amazonaws.com/", settings.Endpoint.ToString());
    }

    [Fact]
    public void ServicesSectionWithoutThisService_FallsBackToTheProfileEndpoint_AndSignsForItsRegion()
    {
        var env = new Dictionary<string, string?> { ["AWS_CONFIG_FILE"] = ConfigFile(Config), ["AWS_PROFILE"] = "other-service-only" };
        var settings = Resolve(new LexPolicyClientOptions(), env);
        Assert.Equal("https://vpce-1a2b.models-v2-lex.eu-central-1.vpce.amazonaws.com/", settings.Endpoint.ToString());
        Assert.Equal("eu-central-1", settings.SigningRegion);
    }

    [Fact]
    public void ExplicitProfileOption_PicksTheProfile()
    {
        var env = new Dictionary<string, string?> { ["AWS_CONFIG_FILE"] = ConfigFile(Config), ["AWS_REGION"] = "us-east-2" };
        var settings = Resolve(new LexPolicyClientOptions { Profile = "dev" }, env);
        Assert.Equal("ap-south-1", settings.Region); // the chosen profile's region beats the ambient AWS_REGION
        Assert.Equal("http://127.0.0.1:4566/", settings.Endpoint.ToString());
    }

    [Theory]
    [InlineData(null, null, null, 3, LexRetryMode.Standard)]
    [InlineData("3", null, null, 2, LexRetryMode.Standard)]
    [InlineData("1", "legacy", null, 0, LexRetryMode.Standard)]
    [InlineData(null, "adaptive", null, 3, LexRetryMode.Adaptive)]
    [InlineData(null, null, "default", 4, LexRetryMode.Adaptive)]
    [InlineData("2", "standard", "default", 1, LexRetryMode.Standard)]
    public void RetrySettings_ComeFromEnvironmentThenProfile(string? maxAttempts, string? retryMode, string? profile, int expectedRetries, LexRetryMode expectedMode)
    {
        var env = new Dictionary<string, string?> { ["AWS_MAX_ATTEMPTS"] = maxAttempts, ["AWS_RETRY_MODE"] = retryMode, ["AWS_REGION"] = "us-east-1" };
        if (profile is not null)
        {
            env["AWS_CONFIG_FILE"] = ConfigFile(Config);
        }

        var settings = Resolve(new LexPolicyClientOptions(), env);

        Assert.Equal(expectedRetries, settings.MaxRetries);
        Assert.Equal(expectedMode, settings.RetryMode);
    }

    [Fact]
    public void ExplicitRetryOptions_WinOverEnvironmentAndProfile()
    {
        var env = new Dictionary<string, string?> { ["AWS_CONFIG_FILE"] = ConfigFile(Config), ["AWS_MAX_ATTEMPTS"] = "9", ["AWS_RETRY_MODE"] = "adaptive" };
        var settings = Resolve(new LexPolicyClientOptions { MaxRetries = 1, RetryMode = LexRetryMode.Standard }, env);
        Assert.Equal(1, settings.MaxRetries);
        Assert.Equal(LexRetryMode.Standard, settings.RetryMode);
        Assert.Equal(3, Resolve(new LexPolicyClientOptions { MaxRetries = 3 }, env).MaxRetries); // 3 set explicitly is still explicit
    }

    [Theory]
    [InlineData("AWS_MAX_ATTEMPTS", "0", "AWS_MAX_ATTEMPTS")]
    [InlineData("AWS_MAX_ATTEMPTS", "three", "AWS_MAX_ATTEMPTS")]
    [InlineData("AWS_RETRY_MODE", "aggressive", "AWS_RETRY_MODE")]
    [InlineData("AWS_ENDPOINT_URL", "not a url", "AWS_ENDPOINT_URL")]
    public void MalformedSetting_IsRefusedNamingItsSource(string variable, string value, string named)
    {
        var env = new Dictionary<string, string?> { [variable] = value, ["AWS_REGION"] = "us-east-1" };
        var e = Assert.Throws<InvalidOperationException>(() => Resolve(new LexPolicyClientOptions(), env));
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfiguredEndpointWithFips_IsRefused()
    {
        var env = new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:1", ["AWS_REGION"] = "us-east-1" };
        var e = Assert.Throws<InvalidOperationException>(() => Resolve(new LexPolicyClientOptions { UseFips = true }, env));
        Assert.Contains("AWS_ENDPOINT_URL", e.Message, StringComparison.Ordinal);
    }

    /// <summary>The parser as botocore's (Python's configparser): no end-of-line comments, ':' as a delimiter, nested keys as written.</summary>
    [Fact]
    public void IniParser_ReadsNestedSettingsCommentsAndOddSpacing()
    {
        var ini = SharedConfig.IniFile.Parse("# top\n[profile  x ]\nregion=eu-west-1 ; note\nurl = http://a/#frag\nkey: v:w\n[services  s ]\nlex_models_v2 =\n\tEndpoint_Url = http://b\n  other = 1\nplain = 2\n");
        var x = ini.Section("profile  x ")!.Values;
        Assert.Equal("eu-west-1 ; note", x["region"].Text);
        Assert.Equal("http://a/#frag", x["url"].Text);
        Assert.Equal("v:w", x["key"].Text);
        var s = ini.Section("services  s ")!.Values;
        Assert.Equal("http://b", s["lex_models_v2"].Nested!["Endpoint_Url"]);
        Assert.Equal("1", s["lex_models_v2"].Nested!["other"]);
        Assert.Equal("2", s["plain"].Text);
        Assert.Equal(["profile", "my dev"], SharedConfig.ShellWords("profile 'my dev'"));
        Assert.Equal(["services", "a b\"c"], SharedConfig.ShellWords("services \"a b\\\"c\""));
        Assert.Null(SharedConfig.ShellWords("profile \"dev"));
        Assert.Equal("/h/cfg:$NOPE:${NOPE}", SharedConfig.ExpandVariables("$HOME/cfg:$NOPE:${NOPE}", n => n == "HOME" ? "/h" : null));
    }
}

/// <summary>The same settings through the real process environment and a real client: these change process state, so they run alone.</summary>
[Collection(nameof(EnvironmentVariableTests))]
public class SharedConfigEnvironmentTests
{
    [Fact]
    public async Task ServiceSpecificEndpointVariable_SendsTheClientThere()
    {
        await using var server = LoopbackServer.Start((_, _) => RawResponse.Json(200, """{"revisionId":"9"}"""));
        using var scope = new EnvironmentScope(new() { ["AWS_ENDPOINT_URL_LEX_MODELS_V2"] = server.Endpoint.ToString(), ["AWS_REGION"] = "eu-west-3" });
        using var client = new LexPolicyClient(new LexPolicyClientOptions { Credentials = Fixtures.Credentials });

        var response = await client.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArnIn("eu-west-3") });

        Assert.Equal("9", response.RevisionId);
        Assert.Equal(SharedConfig.ServiceEndpointVariable, client.EndpointSource);
        Assert.Contains("/eu-west-3/lex/aws4_request", Assert.Single(server.Requests).Header("Authorization"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MaxAttemptsVariable_CountsTheFirstAttempt()
    {
        using var scope = new EnvironmentScope(new() { ["AWS_MAX_ATTEMPTS"] = "3", ["AWS_REGION"] = "us-east-1" });
        var http = new MockHttpMessageHandler();
        int sent = 0;
        http.When("*").With(_ => Interlocked.Increment(ref sent) > 0).Respond(HttpStatusCode.ServiceUnavailable);
        using var client = new LexPolicyClient(new LexPolicyClientOptions { Credentials = Fixtures.Credentials, BaseRetryDelay = TimeSpan.FromMilliseconds(1), MaxRetryDelay = TimeSpan.FromMilliseconds(1) }, http);

        var e = await Assert.ThrowsAnyAsync<LexPolicyException>(() => client.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn }));

        Assert.Equal(3, e.Attempts);
        Assert.Equal(3, sent);
    }

    [Fact]
    public async Task ProfileOption_TakesCredentialsAndRegionFromThatProfile_AndAMissingProfileIsAnError()
    {
        string dir = Directory.CreateTempSubdirectory("lexpolicy-profile-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "credentials"), "[deployer]\naws_access_key_id = AKIADEPLOYERKEY1\naws_secret_access_key = deployer-secret\n");
            File.WriteAllText(Path.Combine(dir, "config"), "[profile deployer]\nregion = ca-central-1\n");
            using var scope = new EnvironmentScope(new()
            {
                ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(dir, "credentials"), ["AWS_CONFIG_FILE"] = Path.Combine(dir, "config"),
                ["AWS_REGION"] = null, ["AWS_DEFAULT_REGION"] = null, ["AWS_PROFILE"] = null,
            });
            var http = new MockHttpMessageHandler();
            string? auth = null;
            http.When("*").With(r => { auth = r.Headers.GetValues("Authorization").Single(); return true; }).Respond(HttpStatusCode.OK, "application/json", "{}");
            using var client = new LexPolicyClient(new LexPolicyClientOptions { Profile = "deployer" }, http);

            await client.DescribeResourcePolicyAsync(new() { ResourceArn = "arn:aws:lex:ca-central-1:123456789012:bot/ABCDEFGHIJ" });

            Assert.Equal("ca-central-1", client.SigningRegion);
            Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIADEPLOYERKEY1/", auth, StringComparison.Ordinal);

            // A profile named in code that is in neither file is an error when the client is built, as in the AWS SDKs.
            var e = Assert.Throws<InvalidOperationException>(() => new LexPolicyClient(new LexPolicyClientOptions { Profile = "nobody", Region = "us-east-1" }, http));
            Assert.Contains("'nobody'", e.Message, StringComparison.Ordinal);

            // One that exists only in the credentials file, without credentials there, is CredentialsUnavailable at the first call.
            File.AppendAllText(Path.Combine(dir, "credentials"), "[keyless]\nregion = ca-central-1\n");
            using var keyless = new LexPolicyClient(new LexPolicyClientOptions { Profile = "keyless", Region = "us-east-1" }, http);
            var unavailable = await Assert.ThrowsAsync<LexPolicyException>(() => keyless.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn }));
            Assert.Equal("CredentialsUnavailable", unavailable.ErrorCode);
            Assert.Contains("'keyless'", unavailable.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// AWS_DEFAULT_PROFILE alone chooses the profile as in the AWS CLI, and the credentials come from that same profile: AWSSDK.Core's
    /// chain, which knows only AWS_PROFILE, would otherwise sign with the default profile's keys (another account) while the
    /// region and endpoint come from the chosen one.
    /// </summary>
    [Fact]
    public async Task AwsDefaultProfile_ChoosesRegionEndpointAndCredentials()
    {
        string dir = Directory.CreateTempSubdirectory("lexpolicy-default-profile-").FullName;
        try
        {
            await using var server = LoopbackServer.Start((_, _) => RawResponse.Json(200, """{"revisionId":"3"}"""));
            File.WriteAllText(Path.Combine(dir, "credentials"), "[default]\naws_access_key_id = AKIADEFAULTKEY01\naws_secret_access_key = default-secret\n\n[dev]\naws_access_key_id = AKIADEVPROFILE01\naws_secret_access_key = dev-secret\n");
            File.WriteAllText(Path.Combine(dir, "config"), $"[default]\nregion = us-east-1\n\n[profile dev]\nregion = eu-west-2\nendpoint_url = {server.Endpoint}\n");
            using var scope = new EnvironmentScope(new()
            {
                ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(dir, "credentials"), ["AWS_CONFIG_FILE"] = Path.Combine(dir, "config"),
                ["AWS_DEFAULT_PROFILE"] = "dev", ["AWS_PROFILE"] = null, ["AWS_REGION"] = null, ["AWS_DEFAULT_REGION"] = null,
                ["AWS_ACCESS_KEY_ID"] = null, ["AWS_SECRET_ACCESS_KEY"] = null, ["AWS_SESSION_TOKEN"] = null,
                ["AWS_ENDPOINT_URL"] = null, ["AWS_ENDPOINT_URL_LEX_MODELS_V2"] = null,
            });
            using var client = new LexPolicyClient(new LexPolicyClientOptions());

            var response = await client.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArnIn("eu-west-2") });

            Assert.Equal("3", response.RevisionId);
            Assert.Contains("profile 'dev'", client.EndpointSource, StringComparison.Ordinal);
            Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIADEVPROFILE01/", Assert.Single(server.Requests).Header("Authorization"), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
