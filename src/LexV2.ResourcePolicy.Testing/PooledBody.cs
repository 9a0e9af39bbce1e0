using System.Buffers;

namespace LexV2.ResourcePolicy.Testing;

/// <summary>A request body in a pooled buffer that grows with the data that actually arrived (not with what a client declared).</summary>
internal sealed class PooledBody(ArrayPool<byte> pool) : IDisposable
{
    private const int InitialBytes = 16 * 1024;
    private byte[]? _array;
    private int _length;

    public ReadOnlyMemory<byte> Memory => _array is null ? ReadOnlyMemory<byte>.Empty : _array.AsMemory(0, _length);

    public void Append(ReadOnlySpan<byte> data)
    {
        int needed = _length + data.Length;
        if (_array is null || needed > _array.Length)
        {
            byte[] larger = pool.Rent(Math.Max(needed, Math.Max(InitialBytes, (_array?.Length ?? 0) * 2)));
            if (_array is not null)
            {
                _array.AsSpan(0, _length).CopyTo(larger);
                pool.Return(_array);
            }

            _array = larger;
        }

        data.CopyTo(_array.AsSpan(_length));
        _length = needed;
    }

    public void Dispose()
    {
        if (_array is not null)
        {
            pool.Return(_array);
            _array = null;
        }
    }
}
