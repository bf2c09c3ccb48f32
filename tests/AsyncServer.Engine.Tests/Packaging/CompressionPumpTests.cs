using AsyncServer.Packaging;

namespace AsyncServer.Tests.Packaging;

/// <summary>The package writer's compression thread: order kept, and a failing disk surfaces in the writer.</summary>
public sealed class CompressionPumpTests
{
    [Fact]
    public void Chunks_arrive_complete_and_in_order()
    {
        var target = new MemoryStream();
        var expected = new MemoryStream();
        using (var pump = new CompressionPump(target, capacity: 2))
        {
            for (var i = 0; i < 200; i++)
            {
                var chunk = Enumerable.Range(0, 1000 + i).Select(b => (byte)(b + i)).ToArray();
                pump.Write(chunk);
                expected.Write(chunk);
            }
            pump.Finish();
        }
        Assert.Equal(expected.ToArray(), target.ToArray());
    }

    [Fact]
    public void A_write_failure_on_the_compression_thread_is_thrown_to_the_writer()
    {
        using var pump = new CompressionPump(new FailingStream(), capacity: 1);
        var ex = Record.Exception(() =>
        {
            for (var i = 0; i < 100; i++) pump.Write(new byte[100]);
            pump.Finish();
        });
        Assert.IsType<IOException>(ex);
        Assert.Equal("disk full", ex.Message);
    }

    private sealed class FailingStream : Stream
    {
        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("disk full");
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => 0;
        public override long Position { get => 0; set { } }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
