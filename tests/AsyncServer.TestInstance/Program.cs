// One AsyncServer instance in its own process: runs a schedule a number of rounds, like a scheduler would.
// Usage: AsyncServer.TestInstance <config.json> <instance id> <schedule> <rounds> <pause ms> <lease ms> [hang]
// With "hang", the first run stops after its packages are written and before they are recorded, prints
// PACKAGES-WRITTEN and waits for ever (keeping its lease alive) so that the test can kill it mid-run.
// "AsyncServer.TestInstance upload ..." runs one upload send or apply instead (UploadWorker.cs).
using AsyncServer;
using AsyncServer.Configuration;
using AsyncServer.Diagnostics;
using AsyncServer.Distribution;

if (args[0] == "upload") return await UploadWorker.RunAsync(args[1..]);

var config = ConfigurationLoader.Load(args[0]);
var instance = args[1];
var schedule = args[2];
var rounds = int.Parse(args[3]);
var pause = TimeSpan.FromMilliseconds(int.Parse(args[4]));
var lease = TimeSpan.FromMilliseconds(int.Parse(args[5]));
var hang = args.Length > 6 && args[6] == "hang";

var options = new DistributionOptions
{
    LeaseDuration = lease,
    AfterPackagesWritten = hang
        ? async (files, ct) =>
        {
            Console.WriteLine("PACKAGES-WRITTEN " + string.Join(";", files));
            Console.Out.Flush();
            await Task.Delay(Timeout.Infinite, ct);
        }
        : null,
};
var context = EngineContext.Create(config, (level, category, message) => Console.Error.WriteLine($"{instance} {level}: {message}"), instanceId: instance);
var runner = new DistributionRunner(context, options);
for (var round = 0; round < rounds; round++)
{
    if (round > 0) await Task.Delay(pause);
    try
    {
        var sessions = await runner.RunAsync(new DistributionRequest { Schedules = [schedule] }, null, CancellationToken.None);
        Console.WriteLine($"ROUND {round}: {sessions.Count} session(s) {string.Join(",", sessions.Select(s => s.Id))}");
    }
    catch (AsyncServerException ex) when (ex.ErrorId is ErrorIds.ConcurrentRun or ErrorIds.WorkClaimedElsewhere)
    {
        // Another instance won the race: exactly what sharing a message database allows.
        Console.WriteLine($"ROUND {round}: {ex.ErrorId}");
    }
}
return 0;
