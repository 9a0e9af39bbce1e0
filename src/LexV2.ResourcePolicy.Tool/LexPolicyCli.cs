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
        var config = new InvocationConfiguration { Output = env.Out, Error = env.Error };
        return await root.Parse(args).InvokeAsync(config, env.Stopping);
    }

    public static RootCommand Build(ToolEnvironment env)
    {
        var globals = new GlobalOptions();
        var root = new RootCommand(
            "lexpolicy: manage Amazon Lex V2 resource policies as code — plan, apply, drift detection, grant and revoke, lint, " +
            "why a call is allowed or denied (explain) and access expectations (check), " +
            "the deployer's least-privilege IAM policy, and a local emulator.\n" +
            "Credentials and region are resolved as the AWS SDKs do (environment, AWS_PROFILE, SSO, web identity, container, " +
            "instance), or from --profile.\n\n" + ExitCodes.Help);
        globals.AddTo(root);
        root.Subcommands.Add(ShowCommand.Create(globals, env));
        root.Subcommands.Add(PlanApplyCommands.Plan(globals, env));
        root.Subcommands.Add(PlanApplyCommands.Apply(globals, env));
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
    public Option<string?> Region { get; } = new("--region") { Description = "The AWS region, e.g. us-east-1 (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region).", Recursive = true };

    public Option<string?> Profile { get; } = new("--profile") { Description = "A profile of the shared AWS config/credentials files: its credentials and region are used.", Recursive = true };

    public Option<string?> EndpointUrl { get; } = new("--endpoint-url") { Description = "Send requests to this URL instead of the regional endpoint (e.g. lexpolicy serve's).", Recursive = true };

    public Option<string> Output { get; } = new("--output") { Description = "Output format: table (for people) or json (for scripts).", Recursive = true, DefaultValueFactory = _ => "table" };

    public void AddTo(Command root)
    {
        Output.AcceptOnlyFromAmong("table", "json");
        root.Options.Add(Region);
        root.Options.Add(Profile);
        root.Options.Add(EndpointUrl);
        root.Options.Add(Output);
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

    public Connection Connection() => Tool.Connection.Resolve(parse.GetValue(globals.Region), parse.GetValue(globals.Profile), parse.GetValue(globals.EndpointUrl), env);

    public LexPolicyClient CreateClient() => Connection().CreateClient(env);

    public T Get<T>(Option<T> option) => parse.GetValue(option)!;

    public T Get<T>(Argument<T> argument) => parse.GetValue(argument)!;

    /// <summary>Reads a file the user named; a missing or unreadable one is a <see cref="ToolException"/>.</summary>
    public static string ReadFile(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ToolException($"cannot read {path}: {e.Message}");
        }
    }

    /// <summary>Sets a command's action: runs <paramref name="body"/> and turns the expected failures into a message and exit code 1.</summary>
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
            catch (Exception e) when (e is ToolException or FormatException or ArgumentException)
            {
                await env.Error.WriteLineAsync("error: " + e.Message);
                return ExitCodes.Error;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                await env.Error.WriteLineAsync("cancelled.");
                return ExitCodes.Error;
            }
        });
}
