using System.Security.Cryptography;
using System.Text;
using PrimeDirective.Grains.Sealing;

namespace PrimeDirective.Tests.Infrastructure;

/// <summary>
/// The tests' opener of sealed values: inside a key snapshot it reads the key store once however many values it opens
/// (the checks that nothing of a subject is left open every stored value), and it never opens a value whose key was
/// destroyed before the snapshot, nor, after it, one destroyed since.
/// </summary>
public sealed class TestSealingTests
{
    [Fact]
    public async Task A_key_snapshot_reads_the_store_once_and_opens_only_values_whose_key_lived_when_it_was_taken()
    {
        var rows = new CountingKeyRows(new InMemoryKeyRows());
        var opener = TestSealing.Opener(rows, new Dictionary<string, string> { ["1"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });
        var contexts = Enumerable.Range(0, 5).Select(row => new SealContext("test", "value", $"subject-{Guid.NewGuid():N}", $"row-{row}")).ToList();
        var values = new List<byte[]>();
        foreach (var context in contexts)
        {
            values.Add(await opener.SealAsync(context, Encoding.UTF8.GetBytes($"plain {context.RowId}")));
        }

        // The first subject is erased before the snapshot.
        Assert.True(await rows.DeleteAsync(Sealer.KeyIdOf(values[0])));
        rows.Reset();

        var opened = await TestSealing.WithKeySnapshotAsync(opener, async () =>
        {
            var plain = new List<string?>();
            for (var index = 0; index < contexts.Count; index++)
            {
                plain.Add(await opener.OpenAsync(contexts[index], values[index]) is { } bytes ? Encoding.UTF8.GetString(bytes) : null);
            }

            return plain;
        });

        Assert.Equal([null, "plain row-1", "plain row-2", "plain row-3", "plain row-4"], opened);
        Assert.Equal(1, rows.Reads);

        // Outside a snapshot every opening reads the store again: a key destroyed since opens nothing.
        Assert.True(await rows.DeleteAsync(Sealer.KeyIdOf(values[1])));
        rows.Reset();
        Assert.Null(await opener.OpenAsync(contexts[1], values[1]));
        Assert.Equal("plain row-2", Encoding.UTF8.GetString((await opener.OpenAsync(contexts[2], values[2]))!));
        Assert.Equal(2, rows.Reads);
    }

    /// <summary>Key rows that count the reads that reach them.</summary>
    private sealed class CountingKeyRows(IKeyRows inner) : IKeyRows
    {
        private int _reads;

        public int Reads => _reads;

        public void Reset() => _reads = 0;

        public Task<WrappedKey> InsertOrGetAsync(WrappedKey key) => inner.InsertOrGetAsync(key);

        public Task<WrappedKey?> FindAsync(Guid keyId) => Read(() => inner.FindAsync(keyId));

        public Task<WrappedKey?> FindBySubjectAsync(string subject) => Read(() => inner.FindBySubjectAsync(subject));

        public Task<bool> DeleteAsync(Guid keyId) => inner.DeleteAsync(keyId);

        public Task<IReadOnlyList<WrappedKey>> EpochsBeforeAsync(DateOnly today) => Read(() => inner.EpochsBeforeAsync(today));

        public Task<IReadOnlyList<WrappedKey>> NamedFromAsync(string prefix) => Read(() => inner.NamedFromAsync(prefix));

        public Task PingAsync(CancellationToken cancellationToken) => inner.PingAsync(cancellationToken);

        private Task<T> Read<T>(Func<Task<T>> read)
        {
            Interlocked.Increment(ref _reads);
            return read();
        }
    }
}
