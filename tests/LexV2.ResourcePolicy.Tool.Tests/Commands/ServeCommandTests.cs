using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using LexV2.ResourcePolicy.TestSupport;
using LexV2.ResourcePolicy.Tool.Commands;

namespace LexV2.ResourcePolicy.Tool.Tests.Commands;

/// <summary><c>lexpolicy serve</c> in-process, driven over a real loopback socket by the library and by the tool itself.</summary>
public class ServeCommandTests
{
    [Fact]
    public async Task Serve_ListensOnLoopback_ChecksItsCredentials_ServesTheToolsOwnCommands_AndStopsCleanly()
    {
        using var tool = new ToolHarness();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var listening = new ListeningWriter();
        var env = new ToolEnvironment { Out = listening, Error = new StringWriter(), Stopping = stop.Token };
        Task<int> serve = LexPolicyCli.RunAsync(["serve", "--port", "0", "--access-key", "AKIDSERVETEST", "--secret-key", "serve/secret", "--region", "eu-west-2"], env);
        Uri endpoint = await listening.Address.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(IPAddress.Loopback.ToString(), endpoint.Host);
        var listener = ListeningPort.Of(endpoint.Port);

        string profiles = tool.File_("served-credentials", "[served]\naws_access_key_id = AKIDSERVETEST\naws_secret_access_key = serve/secret\nregion = eu-west-2\n");
        async Task<(int Code, string Out, string Err)> Run(params string[] args)
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            int code = await LexPolicyCli.RunAsync([.. args, "--endpoint-url", endpoint.ToString(), "--profile", "served"], new ToolEnvironment { Out = output, Error = error, ProfilesLocation = profiles });
            return (code, output.ToString(), error.ToString());
        }

        const string Alias = "arn:aws:lex:eu-west-2:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID";
        var granted = await Run("grant", "connect", Alias, "--instance-arn", "arn:aws:connect:eu-west-2:123456789012:instance/x");
        Assert.Equal((0, $"Added AllowConnect-x to {Alias} (revision 1).\n"), (granted.Code, granted.Out));
        var shown = await Run("show", Alias);
        Assert.Contains("AllowConnect", shown.Out, StringComparison.Ordinal);

        using var wrong = new LexPolicyClient(new LexPolicyClientOptions { ServiceUrl = endpoint, Region = "eu-west-2", Credentials = new BasicAWSCredentials("AKIDSERVETEST", "not/the/secret"), MaxRetries = 0 });
        var denied = await Assert.ThrowsAsync<LexPolicyException>(() => wrong.DescribeResourcePolicyAsync(new DescribeResourcePolicyRequest { ResourceArn = Alias }));
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        // Sent anyway (the client would refuse an ARN of another region): the served emulator answers for its region only.
        using var otherRegion = new LexPolicyClient(new LexPolicyClientOptions { ServiceUrl = endpoint, Region = "us-east-1", Credentials = new BasicAWSCredentials("AKIDSERVETEST", "serve/secret"), MaxRetries = 0, ValidateRequests = false });
        Assert.Equal(HttpStatusCode.Forbidden, (await Assert.ThrowsAsync<LexPolicyException>(() => otherRegion.DescribeResourcePolicyAsync(new DescribeResourcePolicyRequest { ResourceArn = Alias }))).StatusCode);

        await stop.CancelAsync();
        Assert.Equal(0, await serve.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(await listener.IsClosedAsync(), $"serve still listens on port {endpoint.Port} after it stopped");
    }

    /// <summary>
    /// The parent outlives serve's start (however slow the machine), and is ended only once serve listens: serve, which did
    /// not stop while the parent lived, then stops by itself.
    /// </summary>
    [Fact]
    public async Task Serve_StopsByItselfWhenTheParentProcessIsGone()
    {
        using var parent = Process.Start(new ProcessStartInfo("sleep", "600") { UseShellExecute = false })!;
        try
        {
            var listening = new ListeningWriter();
            var error = new StringWriter();
            Task<int> serve = LexPolicyCli.RunAsync(["serve", "--parent-pid", parent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], new ToolEnvironment { Out = listening, Error = error });
            if (await Task.WhenAny(listening.Address.Task, serve).WaitAsync(TimeSpan.FromSeconds(60)) == serve)
            {
                Assert.Fail($"serve ended with {await serve} while its parent was alive: {error}");
            }

            parent.Kill();
            await parent.WaitForExitAsync();

            Assert.Equal(0, await serve.WaitAsync(TimeSpan.FromSeconds(60)));
        }
        finally
        {
            if (!parent.HasExited)
            {
                parent.Kill();
            }
        }
    }

    /// <summary>
    /// The PEM goes where nobody else can put anything first: a new directory only this user can open. At a name anyone could
    /// predict in the shared temporary folder (process id and port), a link planted there made serve overwrite the file it
    /// pointed to with the certificate.
    /// </summary>
    [Fact]
    public async Task Serve_Https_WritesThePemInANewPrivateDirectory_NotThroughAFilePlantedInTheTemporaryFolder_AndRemovesBoth()
    {
        using var tool = new ToolHarness();
        string victim = tool.File_("victim", "victim");

        // The test names the port (to plant a link at the name serve would once have used), so it takes a free one and lets it
        // go; another process may bind it before serve does. Then serve refuses the port, and the test takes another.
        for (int attempt = 1; ; attempt++)
        {
            int port;
            using (var free = new TcpListener(IPAddress.Loopback, 0))
            {
                free.Start();
                port = ((IPEndPoint)free.LocalEndpoint).Port;
            }

            string planted = Path.Combine(Path.GetTempPath(), $"lexpolicy-serve-{Environment.ProcessId}-{port}.pem");
            string watched = victim;
            if (OperatingSystem.IsWindows())
            {
                File.Copy(victim, planted, overwrite: true);
                watched = planted;
            }
            else
            {
                File.Delete(planted);
                File.CreateSymbolicLink(planted, victim);
            }

            try
            {
                using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(120));
                var output = new ListeningWriter();
                var error = new StringWriter();
                Task<int> serve = LexPolicyCli.RunAsync(["serve", "--https", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)], new ToolEnvironment { Out = output, Error = error, Stopping = stop.Token });
                if (await Task.WhenAny(output.Address.Task, serve).WaitAsync(TimeSpan.FromSeconds(60)) == serve)
                {
                    if (attempt < 5 && await serve == 1 && error.ToString().Contains($"cannot listen on 127.0.0.1:{port}", StringComparison.Ordinal))
                    {
                        continue; // taken in between
                    }

                    Assert.Fail($"serve ended with {await serve} before listening: {error}");
                }

                string pem = (await output.Pem.Task.WaitAsync(TimeSpan.FromSeconds(60))).Trim();
                string directory = Path.GetDirectoryName(pem)!;

                Assert.Equal("victim", await File.ReadAllTextAsync(watched));
                Assert.StartsWith("-----BEGIN CERTIFICATE-----", await File.ReadAllTextAsync(pem), StringComparison.Ordinal);
                Assert.NotEqual(Path.GetFullPath(Path.GetTempPath()).TrimEnd(Path.DirectorySeparatorChar), Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar));
                if (!OperatingSystem.IsWindows())
                {
                    Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
                }

                await stop.CancelAsync();
                Assert.Equal(0, await serve.WaitAsync(TimeSpan.FromSeconds(30)));
                Assert.False(File.Exists(pem) || Directory.Exists(directory), "the PEM or its directory outlived serve");
                return;
            }
            finally
            {
                File.Delete(planted);
            }
        }
    }

    [Theory]
    [InlineData(new[] { "serve", "--port", "70000" }, "--port must be between 0 and 65535")]
    [InlineData(new[] { "serve", "--access-key", "AKIDX" }, "--access-key and --secret-key go together")]
    [InlineData(new[] { "serve", "--port", "http" }, "Cannot parse argument 'http' for option '--port'")]
    [InlineData(new[] { "serve", "--throttle-above", "0" }, "--throttle-above must be a positive number of requests a second")]
    [InlineData(new[] { "serve", "--latency", "-1" }, "--latency must be 0 to 600000 milliseconds")]
    [InlineData(new[] { "serve", "--parent-pid", "0" }, "--parent-pid must be a process id, 1 or more (was 0)")]
    public async Task Serve_BadArguments_Exit1(string[] args, string expected)
    {
        using var tool = new ToolHarness();
        await tool.AssertRefusedAsync(expected, args);
    }

    [Theory]
    [InlineData("eu-west-1", "eu-west-2", "eu-west-3", "eu-west-1")]
    [InlineData(null, "eu-west-2", "eu-west-3", "eu-west-2")]
    [InlineData(null, "", "eu-west-3", "eu-west-3")]
    [InlineData(null, null, "eu-west-3", "eu-west-3")]
    [InlineData(null, null, null, null)]
    public void Serve_Region_IsTheOption_ThenAwsRegion_ThenAwsDefaultRegion_ElseAny(string? option, string? awsRegion, string? awsDefaultRegion, string? expected)
    {
        var env = new ToolEnvironment
        {
            Out = TextWriter.Null, Error = TextWriter.Null,
            GetEnvironmentVariable = name => name switch { "AWS_REGION" => awsRegion, "AWS_DEFAULT_REGION" => awsDefaultRegion, _ => null },
        };

        Assert.Equal(expected, ServeCommand.Region(option, env));
    }

    [Fact]
    public async Task Serve_PortInUse_Exit1()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        using var tool = new ToolHarness();

        await tool.AssertRefusedAsync("cannot listen on 127.0.0.1:", "serve", "--port", ((IPEndPoint)taken.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Completes <see cref="Address"/> when serve prints its listening line.</summary>
    private sealed class ListeningWriter : StringWriter
    {
        public TaskCompletionSource<Uri> Address { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The path of the PEM file, when serve prints it (<c>--https</c>).</summary>
        public TaskCompletionSource<string> Pem { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override Task WriteLineAsync(string? value)
        {
            if (value?.StartsWith("Listening on ", StringComparison.Ordinal) == true)
            {
                Address.TrySetResult(new Uri(value["Listening on ".Length..]));
            }

            if (value?.StartsWith("Certificate (PEM): ", StringComparison.Ordinal) == true)
            {
                Pem.TrySetResult(value["Certificate (PEM): ".Length..]);
            }

            return base.WriteLineAsync(value);
        }
    }
}
