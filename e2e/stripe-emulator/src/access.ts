// What a restricted key or an app's OAuth token may do: per permission resource, `read` or
// `write` (write implies read).
export type Access = 'read' | 'write';
export type Permissions = Record<string, Access>;
