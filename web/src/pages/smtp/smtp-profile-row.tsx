import type { SmtpProfile } from '../../api/types.ts';
import { StatusBadge } from '../../components/status-badge.tsx';

interface SmtpProfileRowProps {
  profile: SmtpProfile;
  onMakeDefault: (profile: SmtpProfile) => void;
  onTestSend: (profile: SmtpProfile) => void;
}

export function SmtpProfileRow({ profile, onMakeDefault, onTestSend }: SmtpProfileRowProps) {
  const sender = profile.fromName
    ? `${profile.fromName} <${profile.fromAddress}>`
    : profile.fromAddress;
  return (
    <tr>
      <th scope="row">{profile.name}</th>
      <td>
        {profile.host}:{profile.port}
        {profile.username ? <div className="muted">as {profile.username}</div> : null}
      </td>
      <td>{profile.tls}</td>
      <td>{sender}</td>
      <td>{profile.isDefault ? <StatusBadge status="default" /> : null}</td>
      <td>
        <div className="row-actions">
          {profile.isDefault ? null : (
            <button type="button" className="secondary" onClick={() => onMakeDefault(profile)}>
              Make default<span className="visually-hidden"> {profile.name}</span>
            </button>
          )}
          <button type="button" className="secondary" onClick={() => onTestSend(profile)}>
            Test-send<span className="visually-hidden"> through {profile.name}</span>
          </button>
        </div>
      </td>
    </tr>
  );
}
