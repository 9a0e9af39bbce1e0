using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Xunit.Abstractions;

namespace LexV2.ResourcePolicy.TestSupport;

/// <summary>
/// Each test assembly is built once per target framework the packages ship, and each build must run on that framework's
/// runtime: the net8.0 build runs self-contained on the .NET 8 runtime pack, not rolled forward onto the machine's .NET 10.
/// </summary>
public class TargetRuntimeTests(ITestOutputHelper output)
{
    [Fact]
    public void Runs_on_the_runtime_of_its_target_framework()
    {
        string target = typeof(TargetRuntimeTests).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()!.FrameworkName;
        int targetMajor = new FrameworkName(target).Version.Major;

        // .ci/run collects this line from the test results, so CI's log shows which runtime ran each build.
        output.WriteLine($"target-runtime: {typeof(TargetRuntimeTests).Assembly.GetName().Name} {target} ran on {RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier}) from {Path.GetDirectoryName(typeof(object).Assembly.Location)}");

        Assert.Equal(targetMajor, Environment.Version.Major);
        Assert.StartsWith($".NET {targetMajor}.", RuntimeInformation.FrameworkDescription, StringComparison.Ordinal);
    }

    [Fact]
    public void Library_under_test_is_the_build_for_this_target_framework()
    {
        // The library ships net8.0 and net10.0 builds; the test build for a framework must load that framework's build.
        string testTarget = typeof(TargetRuntimeTests).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()!.FrameworkName;
        string libraryTarget = typeof(LexPolicyClient).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()!.FrameworkName;

        output.WriteLine($"library-under-test: {typeof(LexPolicyClient).Assembly.GetName().Name} {libraryTarget}");
        Assert.Equal(testTarget, libraryTarget);
    }
}
