using LexV2.ResourcePolicy.Tool;

using var interrupt = ToolInterrupt.FromProcessSignals();
return await LexPolicyCli.RunAsync(args, ToolEnvironment.FromConsole(interrupt));
