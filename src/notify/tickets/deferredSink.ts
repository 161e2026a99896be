/**
 * Ticket sinks whose implementation is loaded on their first call: GitHub's and Jira's clients
 * (Octokit; jira.js with axios, several hundred modules) are loaded only by a process that
 * lists, opens or closes tickets, not by every command that merely could.
 */
import type { GithubSinkOptions } from './githubSink.js';
import type { JiraSinkOptions } from './jiraSink.js';
import type { TicketSink } from './sink.js';

function deferredSink(kind: TicketSink['kind'], load: () => Promise<TicketSink>): TicketSink {
  let loaded: Promise<TicketSink> | undefined;
  const sink = () => {
    loaded ??= load();
    return loaded;
  };
  return {
    kind,
    listOpen: async (target) => (await sink()).listOpen(target),
    open: async (content) => (await sink()).open(content),
    update: async (ref, content) => (await sink()).update(ref, content),
    resolve: async (ref, resolution, target) => (await sink()).resolve(ref, resolution, target),
  };
}

export const deferredGithubSink = (options: GithubSinkOptions): TicketSink =>
  deferredSink('github', async () => (await import('./githubSink.js')).createGithubSink(options));

export const deferredJiraSink = (options: JiraSinkOptions): TicketSink =>
  deferredSink('jira', async () => (await import('./jiraSink.js')).createJiraSink(options));
