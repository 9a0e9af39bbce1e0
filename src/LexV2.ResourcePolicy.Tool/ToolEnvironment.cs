namespace LexV2.ResourcePolicy.Tool;

/// <summary>
/// What a command reads and writes besides its arguments: the console streams, whether a person is at a terminal, and (for
/// in-process tests) the transport under the client and the shared-credentials file used for <c>--profile</c>.
/// </summary>
internal sealed class ToolEnvironment
{
    /// <summary>Standard output: tables, plans, JSON.</summary>
    public required TextWriter Out { get; init; }

    /// <summary>Standard error: errors, warnings, prompts.</summary>
    public required TextWriter Error { get; init; }

    /// <summary>Standard input (the apply confirmation).</summary>
    public TextReader In { get; init; } = TextReader.Null;

    /// <summary>Whether standard input is a terminal, so a confirmation can be asked for.</summary>
    public bool IsInteractive { get; init; }

    /// <summary>Whether standard output is a terminal, so progress is printed as it happens.</summary>
    public bool IsTerminalOutput { get; init; }

    /// <summary>The handler under the client (tests: the emulator); <see langword="null"/> sends over the network.</summary>
    public HttpMessageHandler? Transport { get; init; }

    /// <summary>The shared credentials file for <c>--profile</c>; <see langword="null"/> uses the AWS SDK's default locations.</summary>
    public string? ProfilesLocation { get; init; }

    /// <summary>Reads an environment variable (tests replace it).</summary>
    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>Stops <c>serve</c> (besides SIGINT/SIGTERM); tests use it.</summary>
    public CancellationToken Stopping { get; init; }

    /// <summary>SIGINT/SIGTERM (tests raise it with <see cref="ToolInterrupt.Request"/>).</summary>
    public ToolInterrupt Interrupt { get; init; } = new();

    /// <summary>The tool's version, as recorded in saved plans.</summary>
    public static string Version { get; } =
        System.Reflection.CustomAttributeExtensions.GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>(typeof(ToolEnvironment).Assembly)?.InformationalVersion ?? "0.0.0";

    public static ToolEnvironment FromConsole(ToolInterrupt interrupt) => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        In = Console.In,
        IsInteractive = !Console.IsInputRedirected,
        IsTerminalOutput = !Console.IsOutputRedirected,
        Interrupt = interrupt,
    };
}
