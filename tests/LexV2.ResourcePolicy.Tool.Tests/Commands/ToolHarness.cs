using LexV2.ResourcePolicy.Testing;

namespace LexV2.ResourcePolicy.Tool.Tests.Commands;

/// <summary>
/// Runs <c>lexpolicy</c> in-process: arguments in, exit code and output out. The client is the real one (option resolution,
/// validation, signing, retries) over the emulator as its transport; credentials come from a temporary shared credentials file
/// read through <c>--profile test</c>, exactly as a user's profile is.
/// </summary>
internal sealed class ToolHarness : IDisposable
{
    public const string AccessKey = LexPolicyEmulatorOptions.ExampleAccessKey;
    public const string SecretKey = LexPolicyEmulatorOptions.ExampleSecretKey;

    private readonly string _dir = Directory.CreateTempSubdirectory("lexpolicy-tests-").FullName;

    public ToolHarness(LexPolicyEmulator? emulator = null)
    {
        Emulator = emulator ?? new LexPolicyEmulator();
        ProfilesFile = Path.Combine(_dir, "credentials");
        File.WriteAllText(ProfilesFile, $"""
            [test]
            aws_access_key_id = {AccessKey}
            aws_secret_access_key = {SecretKey}
            region = us-east-1

            [wrongkey]
            aws_access_key_id = AKIDWRONGKEY0000
            aws_secret_access_key = notTheSecretAtAll
            region = eu-west-2
            """);
    }

    public LexPolicyEmulator Emulator { get; }

    public string ProfilesFile { get; }

    public string Dir => _dir;

    /// <summary>Writes a file into the harness's temporary folder and returns its path.</summary>
    public string File_(string name, string content)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Runs the tool; adds <c>--profile test</c> unless the arguments name a profile.</summary>
    public async Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => await RunAsync(args, input: null, interactive: false);

    public async Task<(int Code, string Out, string Err)> RunAsync(string[] args, string? input, bool interactive) =>
        await RunAsync(args, new Setting { Input = input, Interactive = interactive });

    /// <summary>How a run's environment differs from the default (not a terminal, no input, no environment variables).</summary>
    public sealed record Setting
    {
        public string? Input { get; init; }

        public bool Interactive { get; init; }

        /// <summary>Standard output is a terminal (colours, live progress).</summary>
        public bool Terminal { get; init; }

        /// <summary>The run's SIGINT/SIGTERM (a test raises it with <see cref="ToolInterrupt.Request"/>).</summary>
        public ToolInterrupt? Interrupt { get; init; }

        /// <summary>Environment variables the tool itself reads (NO_COLOR ...).</summary>
        public IReadOnlyDictionary<string, string>? Environment { get; init; }

        /// <summary>The transport instead of the emulator (e.g. a handler in front of it).</summary>
        public HttpMessageHandler? Transport { get; init; }

        /// <summary>Standard input (default: a reader over <see cref="Input"/>).</summary>
        public TextReader? In { get; init; }

        /// <summary>Standard output (default: a string writer whose text is returned).</summary>
        public TextWriter? Out { get; init; }
    }

    public async Task<(int Code, string Out, string Err)> RunAsync(string[] args, Setting setting)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var env = new ToolEnvironment
        {
            Out = setting.Out ?? output,
            Error = error,
            In = setting.In ?? new StringReader(setting.Input ?? string.Empty),
            IsInteractive = setting.Interactive,
            IsTerminalOutput = setting.Terminal,
            Transport = setting.Transport ?? Emulator,
            ProfilesLocation = ProfilesFile,
            GetEnvironmentVariable = name => setting.Environment?.GetValueOrDefault(name),
            Interrupt = setting.Interrupt ?? new ToolInterrupt(),
        };
        string[] full = args.Contains("--profile") || args.Length == 0 || args[0] is "--help" or "serve" ? args : [.. args, "--profile", "test"];
        int code = await LexPolicyCli.RunAsync(full, env);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Runs the tool and checks that it refused the input: exit code 1, <paramref name="expected"/> on standard error, nothing sent.</summary>
    public async Task<string> AssertRefusedAsync(string expected, params string[] args)
    {
        int sent = Sent;
        var run = await RunAsync(args);
        Assert.True(run.Code == 1, $"exit {run.Code}: {run.Err}");
        Assert.Contains(expected, run.Err, StringComparison.Ordinal);
        Assert.Equal(sent, Sent);
        return run.Err;
    }

    /// <summary>The number of requests that reached the emulator (to prove nothing was sent).</summary>
    public int Sent => Emulator.Requests.Count;

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
