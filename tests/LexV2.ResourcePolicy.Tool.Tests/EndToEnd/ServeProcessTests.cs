using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using LexV2.ResourcePolicy.Testing;

namespace LexV2.ResourcePolicy.Tool.Tests.EndToEnd;

/// <summary>
/// <c>lexpolicy serve</c> started as a process (the built <c>lexpolicy.dll</c>), as another language's test suite starts it:
/// the admin API under <c>/__emulator/</c> with <c>--admin</c> (and not without), <c>--throttle-above</c>, <c>--latency</c>,
/// <c>--https</c> with the PEM it prints, and the region from <c>AWS_REGION</c>.
/// </summary>
[Trait("Category", "EndToEnd")]
public class ServeProcessTests
{
    private const string Alias = "arn:aws:lex:eu-west-2:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID";
    private const string Policy = """{"Version":"2012-10-17","Statement":[{"Sid":"Seeded","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/app"},"Action":"lex:RecognizeText","Resource":"arn:aws:lex:eu-west-2:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID"}]}""";

    [Fact]
    public async Task Admin_ResetsFaultsRequestsAndPolicies_OverHttp_AndTheRegionComesFromAwsRegion()
    {
        await using var serve = await Served.StartAsync(["--admin"], new() { ["AWS_REGION"] = "eu-west-2" });
        using var admin = new HttpClient { BaseAddress = serve.Endpoint };
        using var client = Client(serve.Endpoint, "eu-west-2");
        string policyPath = "__emulator/policies/" + Uri.EscapeDataString(Alias);

        // PUT and GET a policy directly; the client sees it, and the region is the one AWS_REGION named.
        using var put = await admin.PutAsync(policyPath, Json($$"""{"policy":{{Policy}},"revisionId":"3"}"""));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var stored = JsonNode.Parse(await admin.GetStringAsync(policyPath))!;
        Assert.Equal((Alias, "3"), ((string?)stored["resourceArn"], (string?)stored["revisionId"]));
        Assert.Contains("Seeded", (string?)stored["policy"], StringComparison.Ordinal);
        Assert.Equal("3", (await client.DescribeResourcePolicyAsync(new() { ResourceArn = Alias })).RevisionId);
        using var otherRegion = Client(serve.Endpoint, "us-east-1", validate: false); // the client itself would refuse the ARN's region
        Assert.Equal(HttpStatusCode.Forbidden, (await Assert.ThrowsAsync<LexPolicyException>(() => otherRegion.DescribeResourcePolicyAsync(new() { ResourceArn = Alias }))).StatusCode);

        // Faults, each as the JSON fixes it.
        await PostFaultsAsync(admin, """{"throttleNext":1}""");
        Assert.IsType<ThrottlingException>(await Record.ExceptionAsync(() => client.DescribeResourcePolicyAsync(new() { ResourceArn = Alias })));
        await PostFaultsAsync(admin, """{"failNext":{"count":1,"status":503,"code":"ServiceUnavailableException"}}""");
        var failed = await Assert.ThrowsAnyAsync<LexPolicyException>(() => client.DescribeResourcePolicyAsync(new() { ResourceArn = Alias }));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "ServiceUnavailableException"), (failed.StatusCode, failed.ErrorCode));
        await PostFaultsAsync(admin, """{"dropAfterCommitNext":1}""");
        await Assert.ThrowsAnyAsync<Exception>(() => client.CreateResourcePolicyStatementAsync(new()
        {
            ResourceArn = Alias, StatementId = "Committed", Effect = Effect.Allow,
            Principal = [Principal.ForArn("arn:aws:iam::123456789012:role/app")], Action = ["lex:RecognizeText"],
        }));
        Assert.Contains("Committed", (string?)JsonNode.Parse(await admin.GetStringAsync(policyPath))!["policy"], StringComparison.Ordinal);
        await PostFaultsAsync(admin, """{"latencyMs":300}""");
        var timer = Stopwatch.StartNew();
        await client.DescribeResourcePolicyAsync(new() { ResourceArn = Alias });
        Assert.True(timer.ElapsedMilliseconds >= 300, $"answered in {timer.ElapsedMilliseconds} ms");
        await PostFaultsAsync(admin, """{"latencyMs":0,"throttleAbove":1}""");
        Assert.Contains(await BurstAsync(client, 10), e => e is ThrottlingException);

        // The request log, without the signatures.
        var log = JsonNode.Parse(await admin.GetStringAsync("__emulator/requests"))!.AsArray();
        Assert.Contains(log, r => (string?)r!["operation"] == "DescribeResourcePolicy" && (int?)r["status"] == 200);
        Assert.Contains(log, r => (string?)r!["errorCode"] == "ServiceUnavailableException");
        Assert.All(log, r => Assert.Contains("Signature=(redacted)", (string?)r!["headers"]!["authorization"], StringComparison.Ordinal));

        // Bad JSON names the member and the rule.
        using var unknown = await admin.PostAsync("__emulator/faults", Json("""{"throttleNex":1}"""));
        using var negative = await admin.PostAsync("__emulator/faults", Json("""{"throttleNext":-1}"""));
        using var notAPolicy = await admin.PutAsync(policyPath, Json("""{"policy":"not JSON"}"""));
        using var noPolicy = await admin.PutAsync(policyPath, Json("""{"revisionId":"2"}"""));
        Assert.Equal(
            (HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest),
            (unknown.StatusCode, negative.StatusCode, notAPolicy.StatusCode, noPolicy.StatusCode));
        Assert.StartsWith("{\"message\":\"policy: ", await notAPolicy.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("policy is required", await noPolicy.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("throttleNex", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("throttleNext must be 0 or more", await negative.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Reset: no policies, an empty log, no faults.
        using var reset = await admin.PostAsync("__emulator/reset", null);
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync(policyPath)).StatusCode);
        Assert.Empty(JsonNode.Parse(await admin.GetStringAsync("__emulator/requests"))!.AsArray());
        Assert.DoesNotContain(await BurstAsync(client, 5), e => e is ThrottlingException);
    }

    [Fact]
    public async Task Flags_ThrottleAboveAndLatency_ApplyFromTheStart_AndWithoutAdminThePrefixIsTheEmulators()
    {
        await using var serve = await Served.StartAsync(["--throttle-above", "1", "--latency", "200", "--region", "eu-west-2"], []);
        using var client = Client(serve.Endpoint, "eu-west-2");
        using var http = new HttpClient { BaseAddress = serve.Endpoint };

        using var admin = await http.PostAsync("__emulator/reset", null); // the first request: within the rate
        var timer = Stopwatch.StartNew();
        var outcomes = await BurstAsync(client, 10);
        long burst = timer.ElapsedMilliseconds;
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // the rate allows one more
        var later = await Record.ExceptionAsync(() => client.DescribeResourcePolicyAsync(new() { ResourceArn = Alias }));

        Assert.Contains(outcomes, e => e is ThrottlingException);
        Assert.IsType<ResourceNotFoundException>(later);
        Assert.True(burst >= 200, $"10 answers in {burst} ms");
        Assert.Equal(HttpStatusCode.Forbidden, admin.StatusCode); // no admin API: an unsigned request to the emulator
        Assert.StartsWith("MissingAuthenticationTokenException", admin.Headers.GetValues("x-amzn-ErrorType").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Https_PrintsThePemPath_ClientsTrustingItAreServedOverHttp2_AndThePemIsRemovedOnExit()
    {
        var serve = await Served.StartAsync(["--https"], new() { ["AWS_REGION"] = "eu-west-2" });
        string pemPath;
        await using (serve)
        {
            Assert.Equal("https", serve.Endpoint.Scheme);
            Assert.StartsWith("Certificate (PEM): ", serve.SecondLine, StringComparison.Ordinal);
            pemPath = serve.SecondLine!["Certificate (PEM): ".Length..];
            using var root = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(pemPath));
            using var handler = new SocketsHttpHandler();
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(root);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return (errors & System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch) == 0 && certificate is not null && chain.Build(new X509Certificate2(certificate));
            };
            using var http = new HttpClient(handler) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

            using var answer = await http.GetAsync(new Uri(serve.Endpoint, "policy/" + Uri.EscapeDataString(Alias)));

            Assert.Equal((HttpStatusCode.Forbidden, HttpVersion.Version20), (answer.StatusCode, answer.Version));
        }

        Assert.Equal(0, serve.ExitCode);
        Assert.False(File.Exists(pemPath), "the PEM file outlived serve");
    }

    private static LexPolicyClient Client(Uri endpoint, string region, bool validate = true) => new(new LexPolicyClientOptions
    {
        ServiceUrl = endpoint, Region = region, MaxRetries = 0, ValidateRequests = validate,
        Credentials = new BasicAWSCredentials(LexPolicyEmulatorOptions.ExampleAccessKey, LexPolicyEmulatorOptions.ExampleSecretKey),
    });

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task PostFaultsAsync(HttpClient admin, string json)
    {
        using var answer = await admin.PostAsync("__emulator/faults", Json(json));
        Assert.True(answer.StatusCode == HttpStatusCode.NoContent, $"{json}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
    }

    /// <summary>Describes a policy-less alias <paramref name="count"/> times at once; what each call threw.</summary>
    private static async Task<Exception?[]> BurstAsync(LexPolicyClient client, int count) =>
        await Task.WhenAll(Enumerable.Range(0, count).Select(_ => Record.ExceptionAsync(() =>
            client.DescribeResourcePolicyAsync(new() { ResourceArn = "arn:aws:lex:eu-west-2:123456789012:bot/BURSTBOT01" }))));

    /// <summary><c>dotnet lexpolicy.dll serve --port 0 --parent-pid (this process)</c>, stopped with SIGTERM on dispose.</summary>
    private sealed class Served : IAsyncDisposable
    {
        private readonly Process _process;

        private Served(Process process, Uri endpoint, string? secondLine)
        {
            _process = process;
            Endpoint = endpoint;
            SecondLine = secondLine;
        }

        public Uri Endpoint { get; }

        public string? SecondLine { get; }

        /// <summary>The exit code, once disposed (stopped with SIGTERM).</summary>
        public int? ExitCode { get; private set; }

        public static async Task<Served> StartAsync(string[] arguments, Dictionary<string, string> environment)
        {
            var start = new ProcessStartInfo(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", "..", OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet"))
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            start.Environment.Remove("AWS_REGION");
            start.Environment.Remove("AWS_DEFAULT_REGION");
            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }

            foreach (string argument in new[] { Path.Combine(AppContext.BaseDirectory, "lexpolicy.dll"), "serve", "--port", "0", "--parent-pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture) }.Concat(arguments))
            {
                start.ArgumentList.Add(argument);
            }

            var process = Process.Start(start)!;
            string? listening = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            if (listening is null || !listening.StartsWith("Listening on ", StringComparison.Ordinal))
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"serve did not start: '{listening}' {await process.StandardError.ReadToEndAsync()}");
            }

            string? second = arguments.Contains("--https") ? await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) : null;
            _ = process.StandardError.ReadToEndAsync(); // drained, so the child never blocks on a full pipe
            return new Served(process, new Uri(listening["Listening on ".Length..] + "/"), second);
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
                await kill.WaitForExitAsync();
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            ExitCode = _process.ExitCode;
            _process.Dispose();
        }
    }
}
