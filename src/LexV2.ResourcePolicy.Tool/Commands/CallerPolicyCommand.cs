using System.CommandLine;

namespace LexV2.ResourcePolicy.Tool.Commands;

/// <summary><c>lexpolicy caller-policy ARN... [--for ensure-remove|read]</c>: the least-privilege IAM policy a deployer needs.</summary>
internal static class CallerPolicyCommand
{
    public static Command Create(GlobalOptions globals, ToolEnvironment env)
    {
        var arns = new Argument<string[]>("ARN") { Description = "The bots and bot aliases the caller works on.", Arity = ArgumentArity.OneOrMore };
        var purpose = new Option<string>("--for")
        {
            Description = "ensure-remove: everything plan, apply, grant and revoke call (Describe, Create, Update and DeleteResourcePolicy); read: show, plan, lint and doctor (DescribeResourcePolicy).",
            DefaultValueFactory = _ => "ensure-remove",
        };
        purpose.AcceptOnlyFromAmong("ensure-remove", "read");
        var command = new Command("caller-policy", "Print the identity-based IAM policy with exactly the actions a deployer needs, on exactly these resources.") { arns, purpose };
        Invocation.SetAction(command, globals, env, async (run, _) =>
        {
            var resources = run.Get(arns).Select(LexResourceArn.Parse).ToList();
            IReadOnlyList<ResourcePolicyOperation> operations = run.Get(purpose) == "read" ? [ResourcePolicyOperation.DescribeResourcePolicy] : CallerPolicy.EnsureAndRemove;
            await run.Out.WriteLineAsync(CallerPolicy.For(operations, resources).ToJson(indented: true));
            return ExitCodes.Success;
        });
        return command;
    }
}
