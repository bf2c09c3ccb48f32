using AsyncServer.Diagnostics;

namespace AsyncServer.Endpoint;

/// <summary>
/// What the credential cmdlets do: create (or rotate), list and revoke the secrets channel databases use at the
/// endpoint. Channel databases are checked against the configuration and stored in its spelling.
/// </summary>
public sealed class ChannelCredentialManager(EngineContext context)
{
    private EndpointStore Store => context.OpenEndpointStore();

    /// <summary>The configuration's spelling of the id; ChannelDatabaseNotFound when no data group has it.</summary>
    public string ChannelDatabase(string id) => context.Configuration.FindChannelDatabase(id)?.Database.Id
        ?? throw new AsyncServerException(ErrorIds.ChannelDatabaseNotFound, ErrorKind.ObjectNotFound,
            $"Channel database '{id}' is not defined in any data group of the configuration.", id);

    private async Task EnsureReadyAsync(CancellationToken ct)
    {
        await using var messages = context.OpenMessageStore();
        await messages.EnsureReadyAsync(ct).ConfigureAwait(false);
    }

    public async Task<NewChannelCredential> CreateAsync(string channelDatabase, DateTimeOffset? expiresAt, CancellationToken ct)
    {
        var id = ChannelDatabase(channelDatabase);
        await EnsureReadyAsync(ct).ConfigureAwait(false);
        return await Store.CreateCredentialAsync(id, expiresAt, ct).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ChannelCredentialInfo>> GetAsync(string? channelDatabase, bool includeRevoked, CancellationToken ct)
    {
        var id = channelDatabase is null ? null : ChannelDatabase(channelDatabase);
        await EnsureReadyAsync(ct).ConfigureAwait(false);
        var all = await Store.GetCredentialsAsync(id, ct).ConfigureAwait(false);
        return includeRevoked ? all : all.Where(c => c.RevokedAt is null).ToList();
    }

    /// <summary>Revokes one credential or all of the channel database; CredentialInvalid when the id names no unrevoked credential of it.</summary>
    public async Task<int> RevokeAsync(string channelDatabase, long? credentialId, CancellationToken ct)
    {
        var id = ChannelDatabase(channelDatabase);
        await EnsureReadyAsync(ct).ConfigureAwait(false);
        var revoked = await Store.RevokeCredentialsAsync(id, credentialId, ct).ConfigureAwait(false);
        if (credentialId is { } one && revoked == 0)
            throw new AsyncServerException(ErrorIds.CredentialInvalid, ErrorKind.ObjectNotFound,
                $"Channel database {id} has no unrevoked credential with id {one}; Get-AsyncChannelCredential lists them.", one);
        return revoked;
    }
}
