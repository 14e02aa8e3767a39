import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { parseStoredSettings, type Meeting, type MeetingChanges, type MeetingStore, type SavedParticipant } from './meeting.js';

interface MeetingRow {
  code: string;
  host_key_hash: string;
  created_at: number;
  expires_at: number;
  ended_at: number | null;
  occupied: number;
  locked: number;
  settings: string;
}

interface ParticipantRow {
  meeting_code: string;
  id: string;
  name: string;
  is_host: number;
  audio: number;
  video: number;
  screen: number;
  away_until: number;
  removal_marks: string;
  token_issued_at: number;
}

const RESUME_SECRET = 'resume-token';

/** Columns a MeetingChanges field is written to, with the conversion. */
const COLUMNS: { [K in keyof Required<MeetingChanges>]: [column: string, toSql: (value: Required<MeetingChanges>[K]) => unknown] } = {
  expiresAt: ['expires_at', (date) => date.getTime()],
  endedAt: ['ended_at', (date) => date?.getTime() ?? null],
  occupied: ['occupied', (occupied) => Number(occupied)],
  locked: ['locked', (locked) => Number(locked)],
  settings: ['settings', (settings) => JSON.stringify(settings)],
};

/** A stored row as the meeting it is. */
function meetingOf(row: MeetingRow): Meeting {
  return {
    code: row.code,
    hostKeyHash: row.host_key_hash,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    endedAt: row.ended_at === null ? null : new Date(row.ended_at),
    occupied: row.occupied === 1,
    locked: row.locked === 1,
    settings: parseStoredSettings(row.settings),
  };
}

/**
 * The embedded default: meetings in a SQLite file (better-sqlite3), so a restart or deploy loses none.
 * Times are Unix milliseconds. `:memory:` gives a private in-memory database, for tests.
 */
export class SqliteMeetingStore implements MeetingStore {
  readonly #db: Database.Database;
  readonly #statements;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS meetings (
        code TEXT PRIMARY KEY,
        host_key_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        ended_at INTEGER,
        occupied INTEGER NOT NULL DEFAULT 0,
        locked INTEGER NOT NULL DEFAULT 0,
        settings TEXT NOT NULL DEFAULT '{}'
      ) STRICT;
      CREATE INDEX IF NOT EXISTS meetings_expires_at ON meetings (expires_at);
      CREATE TABLE IF NOT EXISTS saved_participants (
        meeting_code TEXT NOT NULL,
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        is_host INTEGER NOT NULL,
        audio INTEGER NOT NULL,
        video INTEGER NOT NULL,
        screen INTEGER NOT NULL,
        away_until INTEGER NOT NULL,
        removal_marks TEXT NOT NULL DEFAULT '[]',
        token_issued_at INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      CREATE TABLE IF NOT EXISTS running (
        node TEXT PRIMARY KEY
      ) STRICT;
      CREATE TABLE IF NOT EXISTS secrets (
        name TEXT PRIMARY KEY,
        value BLOB NOT NULL
      ) STRICT;
    `);
    // Databases from before host controls lack the column; those from before signed resume tokens have a hash.
    const columns = this.#db.prepare<[], { name: string }>('PRAGMA table_info(saved_participants)').all();
    if (!columns.some((column) => column.name === 'removal_marks')) {
      this.#db.exec(`ALTER TABLE saved_participants ADD COLUMN removal_marks TEXT NOT NULL DEFAULT '[]'`);
    }
    if (!columns.some((column) => column.name === 'token_issued_at')) {
      this.#db.exec('ALTER TABLE saved_participants ADD COLUMN token_issued_at INTEGER NOT NULL DEFAULT 0');
    }
    if (columns.some((column) => column.name === 'resume_token_hash')) {
      this.#db.exec('ALTER TABLE saved_participants DROP COLUMN resume_token_hash');
    }
    // Databases from before several Janus instances lack the meeting's instance.
    if (!this.#db.prepare<[], { name: string }>('PRAGMA table_info(meetings)').all().some((column) => column.name === 'media_server')) {
      this.#db.exec('ALTER TABLE meetings ADD COLUMN media_server TEXT');
    }
    this.#statements = {
      insert: this.#db.prepare(
        `INSERT INTO meetings (code, host_key_hash, created_at, expires_at, ended_at, occupied, locked, settings)
         VALUES (@code, @host_key_hash, @created_at, @expires_at, @ended_at, @occupied, @locked, @settings)`,
      ),
      get: this.#db.prepare<[string], MeetingRow>('SELECT * FROM meetings WHERE code = ?'),
      deleteExpired: this.#db.prepare<[number]>('DELETE FROM meetings WHERE expires_at <= ?'),
      countOpen: this.#db.prepare<[number], { count: number }>(
        'SELECT count(*) AS count FROM meetings WHERE expires_at > ? AND ended_at IS NULL',
      ),
      listOpen: this.#db.prepare<[number, string, number], MeetingRow>(
        'SELECT * FROM meetings WHERE expires_at > ? AND ended_at IS NULL AND code > ? ORDER BY code LIMIT ?',
      ),
      occupied: this.#db.prepare<[], { code: string }>('SELECT code FROM meetings WHERE occupied = 1'),
      mediaServer: this.#db.prepare<[string], { media_server: string | null }>('SELECT media_server FROM meetings WHERE code = ?'),
      assignMediaServer: this.#db.prepare<[string, string, string | null]>(
        'UPDATE meetings SET media_server = ? WHERE code = ? AND media_server IS ?',
      ),
      mediaServerLoads: this.#db.prepare<[number], { media_server: string; count: number }>(
        `SELECT media_server, count(*) AS count FROM meetings
         WHERE expires_at > ? AND ended_at IS NULL AND media_server IS NOT NULL GROUP BY media_server`,
      ),
      occupy: this.#db.prepare<[number, string]>(
        'UPDATE meetings SET occupied = 1, expires_at = max(expires_at, ?) WHERE code = ?',
      ),
      vacate: this.#db.prepare<[number, string]>(
        'UPDATE meetings SET occupied = 0, expires_at = min(expires_at, ?) WHERE code = ?',
      ),
      insertParticipant: this.#db.prepare(
        `INSERT OR REPLACE INTO saved_participants
         (meeting_code, id, name, is_host, audio, video, screen, away_until, removal_marks, token_issued_at)
         VALUES (@meeting_code, @id, @name, @is_host, @audio, @video, @screen, @away_until, @removal_marks, @token_issued_at)`,
      ),
      participants: this.#db.prepare<[], ParticipantRow>('SELECT * FROM saved_participants'),
      clearParticipants: this.#db.prepare('DELETE FROM saved_participants'),
      runningCount: this.#db.prepare<[], { count: number }>('SELECT count(*) AS count FROM running'),
      clearRunning: this.#db.prepare('DELETE FROM running'),
      insertRunning: this.#db.prepare<[string]>('INSERT OR REPLACE INTO running (node) VALUES (?)'),
      deleteRunning: this.#db.prepare<[string]>('DELETE FROM running WHERE node = ?'),
      insertSecret: this.#db.prepare<[string, Buffer]>('INSERT OR IGNORE INTO secrets (name, value) VALUES (?, ?)'),
      secret: this.#db.prepare<[string], { value: Buffer }>('SELECT value FROM secrets WHERE name = ?'),
      ping: this.#db.prepare('SELECT 1'),
    };
  }

  async create(meeting: Meeting): Promise<void> {
    this.#statements.insert.run({
      code: meeting.code,
      host_key_hash: meeting.hostKeyHash,
      created_at: meeting.createdAt.getTime(),
      expires_at: meeting.expiresAt.getTime(),
      ended_at: meeting.endedAt?.getTime() ?? null,
      occupied: Number(meeting.occupied),
      locked: Number(meeting.locked),
      settings: JSON.stringify(meeting.settings),
    });
  }

  async get(code: string): Promise<Meeting | undefined> {
    const row = this.#statements.get.get(code);
    return row && meetingOf(row);
  }

  async listOpen(now: Date, after: string | undefined, limit: number): Promise<Meeting[]> {
    return this.#statements.listOpen.all(now.getTime(), after ?? '', limit).map(meetingOf);
  }

  async update(code: string, changes: MeetingChanges): Promise<void> {
    const assignments: string[] = [];
    const values: unknown[] = [];
    for (const [field, value] of Object.entries(changes) as [keyof MeetingChanges, never][]) {
      if (value === undefined) continue;
      const [column, toSql] = COLUMNS[field];
      assignments.push(`${column} = ?`);
      values.push((toSql as (value: unknown) => unknown)(value));
    }
    if (assignments.length === 0) return;
    this.#db.prepare(`UPDATE meetings SET ${assignments.join(', ')} WHERE code = ?`).run(...values, code);
  }

  async occupy(code: string, until: Date): Promise<void> {
    this.#statements.occupy.run(until.getTime(), code);
  }

  async vacate(code: string, until: Date): Promise<void> {
    this.#statements.vacate.run(until.getTime(), code);
  }

  async deleteExpired(now: Date): Promise<number> {
    return this.#statements.deleteExpired.run(now.getTime()).changes;
  }

  async countOpen(now: Date): Promise<number> {
    return this.#statements.countOpen.get(now.getTime())?.count ?? 0;
  }

  async mediaServerOf(code: string): Promise<string | undefined> {
    return this.#statements.mediaServer.get(code)?.media_server ?? undefined;
  }

  async assignMediaServer(code: string, server: string, expected: string | undefined): Promise<string | undefined> {
    this.#statements.assignMediaServer.run(server, code, expected ?? null);
    return this.mediaServerOf(code);
  }

  async mediaServerLoads(now: Date): Promise<Map<string, number>> {
    const rows = this.#statements.mediaServerLoads.all(now.getTime());
    return new Map(rows.map((row) => [row.media_server, row.count]));
  }

  async vacateAll(until: Date, except: ReadonlySet<string>): Promise<void> {
    this.#db.transaction(() => {
      for (const { code } of this.#statements.occupied.all()) {
        if (!except.has(code)) this.#statements.vacate.run(until.getTime(), code);
      }
    })();
  }

  async saveParticipants(participants: SavedParticipant[]): Promise<void> {
    this.#db.transaction(() => {
      this.#statements.clearParticipants.run();
      for (const participant of participants) {
        this.#statements.insertParticipant.run({
          meeting_code: participant.meetingCode,
          id: participant.id,
          name: participant.name,
          is_host: Number(participant.isHost),
          audio: Number(participant.audioEnabled),
          video: Number(participant.videoEnabled),
          screen: Number(participant.screenSharing),
          away_until: participant.awayUntil.getTime(),
          removal_marks: JSON.stringify(participant.removalMarks),
          token_issued_at: participant.tokenIssuedAt,
        });
      }
    })();
  }

  async takeParticipants(): Promise<SavedParticipant[]> {
    return this.#db.transaction(() => {
      const rows = this.#statements.participants.all();
      this.#statements.clearParticipants.run();
      return rows.map((row) => ({
        meetingCode: row.meeting_code,
        id: row.id,
        name: row.name,
        isHost: row.is_host === 1,
        audioEnabled: row.audio === 1,
        videoEnabled: row.video === 1,
        screenSharing: row.screen === 1,
        awayUntil: new Date(row.away_until),
        removalMarks: JSON.parse(row.removal_marks) as string[],
        tokenIssuedAt: row.token_issued_at,
      }));
    })();
  }

  /** One process per file: a process still marked running at start is one that crashed. */
  async markStarted(node: string, now: number, recoveryMs: number): Promise<{ recoverUntil: number; othersRunning: boolean }> {
    return this.#db.transaction(() => {
      const crashed = this.#statements.runningCount.get()!.count > 0;
      this.#statements.clearRunning.run();
      this.#statements.insertRunning.run(node);
      return { recoverUntil: crashed ? now + recoveryMs : 0, othersRunning: false };
    })();
  }

  async markRunning(): Promise<void> {
    // Marked once at start: a second process on the same file is not supported.
  }

  async markHandedOver(node: string): Promise<void> {
    this.#statements.deleteRunning.run(node);
  }

  async resumeSecret(): Promise<Buffer> {
    // Another process on the same file may be creating it at this moment: whichever insert came first wins.
    this.#statements.insertSecret.run(RESUME_SECRET, randomBytes(32));
    return this.#statements.secret.get(RESUME_SECRET)!.value;
  }

  async ping(): Promise<void> {
    this.#statements.ping.get();
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}
