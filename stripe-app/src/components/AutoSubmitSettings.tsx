// Automatic submission, in the settings: off by default; when on, DisputeDesk submits a draft
// `hoursBefore` the deadline if it is at least `minCompleteness` % complete with nothing required
// empty. It never accepts a dispute. One Save action; uncontrolled inputs.
import { Banner, Box, Button, Switch, TextField } from '@stripe/ui-extension-sdk/ui';
import { useState } from 'react';
import type { ApiClient } from '../api/client';
import { useAsync } from '../hooks/use-async';

export const AutoSubmitSettings = ({ api }: { api: ApiClient }) => {
  const { data, error, reload } = useAsync(() => api.evidenceSettings(), 'evidence-settings');
  const [form, setForm] = useState<{ autoSubmit?: boolean; hours?: string; min?: string }>({});
  const [notice, setNotice] = useState<{ type: 'default' | 'critical'; title: string } | null>(
    null,
  );
  const [busy, setBusy] = useState(false);
  if (error)
    return <Banner type="critical" title="Evidence settings" description={error.message} />;
  if (!data) return null;
  const on = form.autoSubmit ?? data.autoSubmit;
  const save = async () => {
    setBusy(true);
    try {
      await api.setEvidenceSettings({
        autoSubmit: on,
        hoursBefore: Number(form.hours ?? data.hoursBefore),
        minCompleteness: Number(form.min ?? data.minCompleteness),
      });
      setNotice({ type: 'default', title: 'Evidence settings saved.' });
      setForm({});
      reload();
    } catch (err) {
      setNotice({ type: 'critical', title: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Box css={{ stack: 'y', gap: 'small' }}>
      <Box css={{ font: 'heading' }}>Never late</Box>
      <Box css={{ color: 'secondary' }}>
        DisputeDesk reminds you 72 and 24 hours before evidence is due. It can also submit a
        complete draft for you shortly before the deadline; it never accepts a dispute for you.
      </Box>
      {notice ? <Banner type={notice.type} title={notice.title} /> : null}
      <Switch
        label="Submit complete evidence automatically"
        checked={on}
        disabled={busy}
        onChange={() => setForm((f) => ({ ...f, autoSubmit: !on }))}
      />
      <TextField
        label="Hours before the deadline"
        defaultValue={String(data.hoursBefore)}
        disabled={busy || !on}
        onChange={(e) => setForm((f) => ({ ...f, hours: e.target.value }))}
      />
      <TextField
        label="Minimum completeness (%)"
        defaultValue={String(data.minCompleteness)}
        disabled={busy || !on}
        onChange={(e) => setForm((f) => ({ ...f, min: e.target.value }))}
      />
      <Button onPress={() => void save()} disabled={busy}>
        Save evidence settings
      </Button>
    </Box>
  );
};
