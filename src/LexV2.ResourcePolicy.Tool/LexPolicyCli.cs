using System.CommandLine;
using LexV2.ResourcePolicy.Reconcile;
using LexV2.ResourcePolicy.Tool.Commands;

namespace LexV2.ResourcePolicy.Tool;

/// <summary>The <c>lexpolicy</c> command line: parsing with System.CommandLine; every decision lives in the library.</summary>
internal static class LexPolicyCli
{
    public static async Task<int> RunAsync(string[] args, ToolEnvironment env)
    {
        var root = Build(env);
        // SIGINT/SIGTERM are the tool's own (ToolInterrupt): a command finishes its writes in flight and reports, however long
        // that takes, instead of being cut off after System.CommandLine's 2 s.
        var config = new InvocationConfiguration { Output = env.Out, Error = env.Error, ProcessTerminationTimeout = null };
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(env.Stopping, env.Interrupt.Token);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // One line per error on standard error, saying where the usage is, instead of the help text on standard output.
            string help = "lexpolicy " + string.Join(' ', Path(parse.CommandResult).Skip(1).Append("--help"));
            foreach (var error in parse.Errors)
            {
                await env.Error.WriteLineAsync($"error: {error.Message} See '{help}'.");
            }

            return ExitCodes.Error;
        }

        return await parse.InvokeAsync(config, stopping.Token);
    }

    /// <summary>The names of the command and its parents, root first.</summary>
    private static IEnumerable<string> Path(System.CommandLine.Parsing.CommandResult result) =>
        result.Parent is System.CommandLine.Parsing.CommandResult parent ? Path(parent).Append(result.Command.Name) : [result.Command.Name];

    public static RootCommand Build(ToolEnvironment env)
    {
        var globals = new GlobalOptions();
        var root = new RootCommand(
            "lexpolicy: manage Amazon Lex V2 resource policies as code — plan, apply, drift detection, grant and revoke, lint, " +
            "why a call is allowed or denied (explain) and access expectations (check), " +
            "the deployer's least-privilege IAM policy, and a local emulator.\n" +
            "Credentials and region are resolved as the AWS SDKs do (environment, AWS_PROFILE, SSO, web identity, container, " +
            "instance), or from --profile; a command on resources uses each resource's own region, from its ARN.\n\n" + ExitCodes.Help);
        globals.AddTo(root);
        root.Subcommands.Add(ShowCommand.Create(globals, env));
        root.Subcommands.Add(PlanCommand.Create(globals, env));
        root.Subcommands.Add(ApplyCommand.Create(globals, env));
        root.Subcommands.Add(GrantCommands.Grant(globals, env));
        root.Subcommands.Add(GrantCommands.Revoke(globals, env));
        root.Subcommands.Add(LintCommand.Create(globals, env));
        root.Subcommands.Add(ExplainCommand.Create(globals, env));
        root.Subcommands.Add(CheckCommand.Create(globals, env));
        root.Subcommands.Add(CallerPolicyCommand.Create(globals, env));
        root.Subcommands.Add(ServeCommand.Create(globals, env));
        root.Subcommands.Add(DoctorCommand.Create(globals, env));
        return root;
    }
}

/// <summary>The options every command takes.</summary>
internal sealed class GlobalOptions
{
    public Option<string?> Region { get; } = new("--region") { Description = "The AWS region, e.g. us-east-1 (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region). Commands on resources use each ARN's own region; with --region, an ARN in another region is an error.", Recursive = true };

    public Option<string?> Profile { get; } = new("--profile") { Description = "A profile of the shared AWS config/credentials files: its credentials and region are used.", Recursive = true };

    public Option<string?> EndpointUrl { get; } = new("--endpoint-url") { Description = "Send requests to this URL instead of the regional endpoint (e.g. lexpolicy serve's); resources must then all be in one region.", Recursive = true };

    public Option<string> Output { get; } = new("--output") { Description = "Output format: table (for people) or json (for scripts).", Recursive = true, DefaultValueFactory = _ => "table" };

    public Option<string?> RetryMode { get; } = new("--retry-mode") { Description = "How throttled and failed calls are retried: adaptive (the tool's default: the client paces itself after the first throttle), standard, or legacy (= standard). Default: AWS_RETRY_MODE, the profile's retry_mode, else adaptive.", Recursive = true };

    public Option<int?> MaxAttempts { get; } = new("--max-attempts") { Description = "Attempts per call, the first included (1-21). Default: AWS_MAX_ATTEMPTS, the profile's max_attempts, else 4.", Recursive = true };

    public Option<bool> NoColor { get; } = new("--no-color") { Description = "No colours in the output (also: the NO_COLOR environment variable). Colours are only ever used at a terminal.", Recursive = true };

    public void AddTo(Command root)
    {
        Output.AcceptOnlyFromAmong("table", "json");
        RetryMode.AcceptOnlyFromAmong("adaptive", "standard", "legacy");
        root.Options.Add(Region);
        root.Options.Add(Profile);
        root.Options.Add(EndpointUrl);
        root.Options.Add(Output);
        root.Options.Add(RetryMode);
        root.Options.Add(MaxAttempts);
        root.Options.Add(NoColor);
    }
}

/// <summary>One command's invocation: the parsed global options and the environment.</summary>
internal sealed class Invocation(ParseResult parse, GlobalOptions globals, ToolEnvironment env)
{
    public ParseResult Parse => parse;

    public ToolEnvironment Env => env;

    public TextWriter Out => env.Out;

    public TextWriter Error => env.Error;

    public bool Json => parse.GetValue(globals.Output) == "json";

    /// <summary>Whether standard output gets colours: at a terminal, unless <c>--no-color</c> or <c>NO_COLOR</c> says otherwise.</summary>
    public bool Color => env.IsTerminalOutput && !parse.GetValue(globals.NoColor) && string.IsNullOrEmpty(env.GetEnvironmentVariable("NO_COLOR"));

    /// <summary>The <c>--region</c> given explicitly, if any.</summary>
    public string? ExplicitRegion => parse.GetValue(globals.Region);

    public Connection Connection() => Tool.Connection.Resolve(
        parse.GetValue(globals.Region), parse.GetValue(globals.Profile), parse.GetValue(globals.EndpointUrl), env,
        parse.GetValue(globals.RetryMode), parse.GetValue(globals.MaxAttempts));

    public LexPolicyClient CreateClient() => Connection().CreateClient(env);

    /// <summary>One client per region of <paramref name="resources"/> (see <see cref="RegionalClients"/>).</summary>
    public RegionalClients CreateClients(IReadOnlyList<ResourceRef> resources) => RegionalClients.Create(Connection(), env, resources);

    /// <summary>The client for one resource: its ARN's region (see <see cref="RegionalClients"/>).</summary>
    public RegionalClients CreateClients(string resourceArn) => CreateClients([new ResourceRef(resourceArn, null)]);

    public T Get<T>(Option<T> option) => parse.GetValue(option)!;

    public T Get<T>(Argument<T> argument) => parse.GetValue(argument)!;

    /// <summary>
    /// Reads a file the user named (<c>-</c>: standard input); a missing, unreadable or directory path is a
    /// <see cref="ToolException"/> that says so.
    /// </summary>
    public string ReadFile(string path)
    {
        if (path == "-")
        {
            return ReadInput(env.In.ReadToEnd, env.Interrupt.Token).GetAwaiter().GetResult();
        }

        if (Directory.Exists(path))
        {
            throw new ToolException($"cannot read {path}: it is a directory; give the path of a file (or - for standard input).");
        }

        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ToolException($"cannot read {path}: {e.Message} Check the path and its permissions.");
        }
    }

    /// <summary>
    /// Reads standard input on a thread of its own, so that <paramref name="cancellationToken"/> (SIGINT/SIGTERM) ends the wait: a
    /// read from a terminal or pipe blocks and ignores cancellation, and the tool catches the first signal, so it would otherwise
    /// be swallowed while nobody types.
    /// </summary>
    public static Task<T> ReadInput<T>(Func<T> read, CancellationToken cancellationToken) =>
        Task.Run(read, CancellationToken.None).WaitAsync(cancellationToken);

    /// <summary>The name a file is shown by in messages (<c>-</c> is standard input).</summary>
    public static string Shown(string path) => path == "-" ? "(standard input)" : path;

    /// <summary>
    /// Sets a command's action: runs <paramref name="body"/> and turns the expected failures into one line each on standard error
    /// and their exit code.
    /// </summary>
    public static void SetAction(Command command, GlobalOptions globals, ToolEnvironment env, Func<Invocation, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                return await body(new Invocation(parse, globals, env), ct);
            }
            catch (DesiredStateException e)
            {
                foreach (var p in e.Problems)
                {
                    await env.Error.WriteLineAsync($"error: {(e.FileName is null ? string.Empty : e.FileName + ": ")}{p.Path}: {p.Message}");
                }

                await env.Error.WriteLineAsync("Nothing was sent.");
                return ExitCodes.Error;
            }
            catch (PlanIntegrityException e)
            {
                await env.Error.WriteLineAsync("error: " + e.Message + " Nothing was sent.");
                return ExitCodes.PlanRefused;
            }
            catch (AccessExpectationException e)
            {
                await env.Error.WriteLineAsync("error: " + e.Message);
                return ExitCodes.Error;
            }
            catch (RequestValidationException e)
            {
                await env.Error.WriteLineAsync("error: " + e.Message);
                return ExitCodes.Error;
            }
            catch (LexPolicyException e)
            {
                string code = e.ErrorCode is null ? string.Empty : e.ErrorCode + ": ";
                string id = e.RequestId is null ? string.Empty : $" (request id {e.RequestId})";
                await env.Error.WriteLineAsync($"error: {code}{e.Message}{id}");
                return ExitCodes.Error;
            }
            catch (ToolException e)
            {
                await env.Error.WriteLineAsync("error: " + e.Message);
                return e.ExitCode;
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                await env.Error.WriteLineAsync("error: " + e.Message);
                return ExitCodes.Error;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested || env.Interrupt.Requested || env.Stopping.IsCancellationRequested)
            {
                // The signal is recorded before its token is cancelled, and a wait on the interrupt token itself (standard input)
                // can end on a pool thread before the linked token this action was given has been cancelled too: the signal
                // decides, not which token the caller saw first (under load an OperationCanceledException otherwise escaped as
                // exit 1 with nothing said).
                await env.Error.WriteLineAsync(env.Interrupt.Requested ? $"cancelled ({env.Interrupt.SignalName})." : "cancelled.");
                return env.Interrupt.Requested ? env.Interrupt.ExitCode : ExitCodes.Error;
            }
        });
}
