using System.Collections.Concurrent;

namespace AsyncServer.Packaging;

/// <summary>
/// Hands filled row buffers to a dedicated thread that writes them into a package entry (hashing, deflate,
/// file), so encoding the next rows and compressing the previous ones overlap: deflate is the largest single
/// cost of packaging. Bounded: at most <c>capacity</c> chunks wait, so memory stays small and a slow disk
/// slows the reader down instead of filling memory. Writes keep their order (one consumer).
/// </summary>
internal sealed class CompressionPump : IDisposable
{
    private readonly BlockingCollection<(byte[] Chunk, int Length)> _queue;
    private readonly Task _worker;
    // Buffers travel back and forth between the two threads; a private free list keeps them out of the
    // large object heap churn that renting 64 KB+ arrays on one thread and returning them on another causes.
    private readonly ConcurrentQueue<byte[]> _free = new();

    public CompressionPump(Stream target, int capacity = 8)
    {
        _queue = new BlockingCollection<(byte[], int)>(capacity);
        _worker = Task.Factory.StartNew(() => Drain(target), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private void Drain(Stream target)
    {
        try
        {
            foreach (var (chunk, length) in _queue.GetConsumingEnumerable())
            {
                try { target.Write(chunk, 0, length); }
                finally { _free.Enqueue(chunk); }
            }
        }
        catch
        {
            // Wake a producer blocked on a full queue: its Add throws and it reports this failure.
            _queue.CompleteAdding();
            throw;
        }
    }

    /// <summary>Queues a copy of <paramref name="data"/>; blocks while the queue is full; throws what the writer thread hit.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return;
        if (!_free.TryDequeue(out var chunk) || chunk.Length < data.Length) chunk = new byte[Math.Max(data.Length, 128 * 1024)];
        data.CopyTo(chunk);
        try
        {
            _queue.Add((chunk, data.Length));
        }
        catch (InvalidOperationException)
        {
            _worker.GetAwaiter().GetResult(); // the writer failed: surface its exception
            throw;
        }
    }

    /// <summary>Waits until everything queued is written; throws what the writer thread hit.</summary>
    public void Finish()
    {
        _queue.CompleteAdding();
        _worker.GetAwaiter().GetResult();
    }

    /// <summary>Stops the writer thread (after what is queued) without reporting its errors: used when abandoning a package.</summary>
    public void Dispose()
    {
        if (!_queue.IsAddingCompleted) _queue.CompleteAdding();
        try { _worker.Wait(); } catch (AggregateException) { /* abandoned: the caller deletes the file */ }
        _queue.Dispose();
    }
}
