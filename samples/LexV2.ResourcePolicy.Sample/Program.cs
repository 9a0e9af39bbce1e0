using LexV2.ResourcePolicy.Sample;

return args.Length > 0 && args[0] == "serve"
    ? await EmulatorServer.RunAsync(args[1..], Console.Out)
    : await Workflow.RunAsync(args, Console.Out);
