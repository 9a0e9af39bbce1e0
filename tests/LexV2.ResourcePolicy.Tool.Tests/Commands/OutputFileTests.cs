using LexV2.ResourcePolicy.Tool.Output;

namespace LexV2.ResourcePolicy.Tool.Tests.Commands;

/// <summary>
/// Files the tool writes (<c>plan --out</c>, <c>caller-policy --out</c>) are replaced whole or not at all: a run stopped while
/// writing (Ctrl+C, a full disk) keeps the previous file, not a truncated one that loses the plan that was reviewed.
/// </summary>
public sealed class OutputFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lexpolicy-out-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task AWriteStoppedPartWay_KeepsThePreviousFile_AndLeavesNoTemporaryFile()
    {
        string path = Path.Combine(_dir, "plan.json");
        await File.WriteAllTextAsync(path, "the reviewed plan\n");
        using var stop = new CancellationTokenSource();

        // A text large enough to be written in many pieces; the token fires after the first of them.
        var text = new string('x', 8 * 1024 * 1024);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => OutputFile.WriteAsync(path, text, stop.Token, afterFirstChunk: () => stop.Cancel()));

        Assert.Equal("the reviewed plan\n", await File.ReadAllTextAsync(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task AWrite_ReplacesTheFileWhole()
    {
        string path = Path.Combine(_dir, "plan.json");
        await File.WriteAllTextAsync(path, "an older and longer plan than the new one\n");

        await OutputFile.WriteAsync(path, "{}\n", CancellationToken.None);

        Assert.Equal("{}\n", await File.ReadAllTextAsync(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task AnUnwritableFolder_IsAToolErrorNamingThePath()
    {
        string path = Path.Combine(_dir, "missing", "plan.json");

        var e = await Assert.ThrowsAsync<ToolException>(() => OutputFile.WriteAsync(path, "{}\n", CancellationToken.None));

        Assert.Contains($"cannot write {path}:", e.Message, StringComparison.Ordinal);
        Assert.Contains("Choose another path with --out.", e.Message, StringComparison.Ordinal);
    }
}
