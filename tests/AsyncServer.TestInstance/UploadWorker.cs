using AsyncServer;
using AsyncServer.Configuration;
using AsyncServer.Diagnostics;
using AsyncServer.Upload;

/// <summary>
/// One upload step in its own process, to be killed with SIGKILL at a named point (Upload/UploadPropertyTests).
/// Usage: AsyncServer.TestInstance upload &lt;config.json&gt; &lt;instance id&gt; send &lt;channel database&gt; | apply, then
/// &lt;checkpoint&gt; (an <see cref="UploadCheckpoints"/> name). On reaching the checkpoint it prints CHECKPOINT and waits for
/// ever, so the test kills it there; a step that never reaches it (nothing to send or apply) ends with DONE.
/// </summary>
internal static class UploadWorker
{
    public static async Task<int> RunAsync(string[] args)
    {
        var config = ConfigurationLoader.Load(args[0]);
        var instance = args[1];
        var checkpoint = args[^1];
        var context = EngineContext.Create(config, (level, _, message) => Console.Error.WriteLine($"{instance} {level}: {message}"), instanceId: instance);
        async Task Stop(string reached, CancellationToken ct)
        {
            if (reached != checkpoint) return;
            Console.WriteLine("CHECKPOINT " + reached);
            Console.Out.Flush();
            await Task.Delay(Timeout.Infinite, ct);
        }
        try
        {
            if (args[2] == "send")
                await new UploadSender(context, FolderUploadTransport.Of(config)) { Checkpoint = Stop }.SendAsync(args[3], null, CancellationToken.None);
            else
                await new UploadApplier(context) { Checkpoint = Stop }.ApplyAsync(null, null, plan: false, CancellationToken.None);
        }
        catch (AsyncServerException ex) when (ex.ErrorId is ErrorIds.ConcurrentRun or ErrorIds.WorkClaimedElsewhere or ErrorIds.CounterRegression)
        {
            // Another run holds the store (or took it over: 1-second leases on a loaded machine), or the store was restored from a
            // backup: what the test set up, not a failure here.
            Console.WriteLine("DONE " + ex.ErrorId);
            return 0;
        }
        Console.WriteLine("DONE");
        return 0;
    }
}
