using LexV2.ResourcePolicy.Configuration;

namespace LexV2.ResourcePolicy.Tests.Configuration;

/// <summary>Hostile review (issues 13-15): shared-config edge cases where this library and the AWS SDKs read the same file differently.</summary>
public sealed class SharedConfigFileRulesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lexpolicy-review2-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static ClientSettings Resolve(LexPolicyClientOptions options, Dictionary<string, string?> env) =>
        ClientSettings.Resolve(options, SharedConfig.Load(options.Profile, n => env.TryGetValue(n, out var v) ? v : null));

    /// <summary>
    /// The SDKs' shared profile-file rules (the reference Java implementation, aws-config for Rust): when a config file has both
    /// <c>[profile default]</c> and <c>[default]</c>, <c>[profile default]</c> wins and <c>[default]</c> is ignored. This library
    /// reads <c>[default]</c> and only falls back to <c>[profile default]</c>, so it talks to another region than the CLI.
    /// </summary>
    [Fact]
    public void ProfileDefault_TakesPriorityOver_Default_AsInTheSdks()
    {
        var env = new Dictionary<string, string?> { ["AWS_CONFIG_FILE"] = Write("config", "[default]\nregion = us-west-1\n\n[profile default]\nregion = eu-west-3\n") };

        var settings = Resolve(new LexPolicyClientOptions(), env);

        Assert.Equal("eu-west-3", settings.Region);
    }

    /// <summary>
    /// "Home directory resolution" (AWS SDKs and Tools reference guide, file location): a path that starts with <c>~/</c> resolves
    /// against HOME. <c>AWS_CONFIG_FILE=~/cfg</c> (quoted in a shell, or set by a CI system or a .env file, where nothing expands
    /// it) is read by the CLI and the SDKs; this library looks for a file literally named "~/cfg", finds none, and silently uses
    /// no config at all: wrong region, wrong endpoint.
    /// </summary>
    [Fact]
    public void ConfigFilePath_StartingWithTilde_ResolvesAgainstHome()
    {
        Write("cfg", "[default]\nregion = ap-northeast-2\nendpoint_url = http://127.0.0.1:4566\n");
        var env = new Dictionary<string, string?> { ["HOME"] = _dir, ["AWS_CONFIG_FILE"] = "~/cfg" };

        var settings = Resolve(new LexPolicyClientOptions(), env);

        Assert.Equal("ap-northeast-2", settings.Region);
        Assert.Equal("http://127.0.0.1:4566/", settings.Endpoint.ToString());
    }

    /// <summary>Section names split on any whitespace (<c>[profile&lt;TAB&gt;dev]</c> is profile "dev" in the SDKs); here only on spaces.</summary>
    [Fact]
    public void ProfileSection_WithATabAfterProfile_IsFound()
    {
        var env = new Dictionary<string, string?> { ["AWS_CONFIG_FILE"] = Write("config", "[profile\tdev]\nregion = ca-central-1\n"), ["AWS_PROFILE"] = "dev" };

        var settings = Resolve(new LexPolicyClientOptions(), env);

        Assert.Equal("ca-central-1", settings.Region);
    }

    /// <summary>
    /// An explicitly named profile that exists in neither shared file is an error in every SDK (botocore ProfileNotFound, the
    /// .NET SDK's profile store). Here it is silently an empty profile: with credentials given in code (a secret store) the
    /// client takes its region and endpoint from the ambient environment instead, i.e. a typo in Profile sends the calls to
    /// another region's real endpoint rather than to the endpoint_url of the intended profile.
    /// </summary>
    [Fact]
    public void ExplicitProfile_ThatExistsNowhere_IsAnError_NotSilentlyTheEnvironment()
    {
        var env = new Dictionary<string, string?>
        {
            ["AWS_CONFIG_FILE"] = Write("config", "[profile staging]\nregion = eu-west-1\nendpoint_url = http://127.0.0.1:4566\n"),
            ["AWS_SHARED_CREDENTIALS_FILE"] = Write("credentials", "[staging]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = x\n"),
            ["AWS_REGION"] = "us-east-1",
        };
        var options = new LexPolicyClientOptions { Profile = "stagign", Credentials = new Amazon.Runtime.BasicAWSCredentials("AKIDEXAMPLE", "secret") };

        var e = Record.Exception(() => Resolve(options, env));

        Assert.True(e is InvalidOperationException && e.Message.Contains("stagign", StringComparison.Ordinal), e?.Message ?? "resolved without error to " + Resolve(options, env).Endpoint);
    }

    /// <summary>
    /// Hostile review (issue 19): botocore reads a config file only when it is a regular file (<c>os.path.isfile</c>); a FIFO (a
    /// named pipe, or <c>AWS_CONFIG_FILE=&lt;(...)</c> in a shell) is no config to it. Opening one for reading blocks until a writer
    /// comes, so a client built with it hung for good in its constructor. Also a symlink to one.
    /// </summary>
    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ConfigFile_ThatIsAFifo_IsNoConfig_AsInBotocore_AndDoesNotBlock(bool throughSymlink)
    {
        Skip.IfNot(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "named pipes made by mkfifo are a Unix thing");
        string fifo = Path.Combine(_dir, "fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        string path = fifo;
        if (throughSymlink)
        {
            path = Path.Combine(_dir, "config-link");
            File.CreateSymbolicLink(path, fifo);
        }

        var env = new Dictionary<string, string?> { ["HOME"] = _dir, ["AWS_CONFIG_FILE"] = path, ["AWS_REGION"] = "eu-west-1" };
        var resolving = Task.Run(() => Resolve(new LexPolicyClientOptions(), env));
        try
        {
            var settings = await resolving.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal("eu-west-1", settings.Region);
            Assert.Equal("regional endpoint", settings.EndpointSource);
        }
        finally
        {
            if (!resolving.IsCompleted)
            {
                // Release the reader stuck in open(2): a writer that comes and goes gives it an end of file.
                await using (new FileStream(fifo, FileMode.Open, FileAccess.Write))
                {
                }

                await Task.WhenAny(resolving, Task.Delay(TimeSpan.FromSeconds(20)));
            }
        }
    }
}
