namespace LexV2.ResourcePolicy.TestSupport;

/// <summary>
/// Sets process environment variables for the scope of a test and restores them after. The environment is the process's:
/// a test using it runs in a collection with parallelization disabled.
/// </summary>
internal sealed class EnvironmentScope : IDisposable
{
    private readonly Dictionary<string, string?> _saved = [];

    public EnvironmentScope(Dictionary<string, string?> values)
    {
        foreach (var (name, value) in values)
        {
            _saved[name] = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public void Dispose()
    {
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}
