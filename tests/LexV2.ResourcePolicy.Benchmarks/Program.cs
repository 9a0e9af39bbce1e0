using BenchmarkDotNet.Running;

// Run with: dotnet run -c Release --project tests/LexV2.ResourcePolicy.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

/// <summary>Entry point marker.</summary>
public partial class Program;
