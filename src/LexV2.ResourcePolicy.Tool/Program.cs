using LexV2.ResourcePolicy.Tool;

return await LexPolicyCli.RunAsync(args, ToolEnvironment.FromConsole());
