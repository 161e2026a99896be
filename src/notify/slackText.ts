/**
 * A Slack payload as plain text, for the demo and for a terminal: what a person would read in
 * the channel, without Slack's markup.
 */
import type { SlackBlock, SlackPayload, TextObject } from './slackMessage.js';

const EMOJI: Record<string, string> = {
  ':rotating_light:': '(!)',
  ':warning:': '(~)',
  ':white_check_mark:': '(ok)',
  ':raising_hand:': '',
  ':wrench:': '',
  ':hourglass_flowing_sand:': '',
  ':information_source:': '(i)',
  ':calendar:': '',
};

/** Undoes mrkdwn: links become "label (url)", bold and code marks go, entities are decoded. */
export function plainText(text: string): string {
  return text
    .replace(/<([^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<([^>]+)>/g, '$1')
    .replace(/:[a-z_]+:/g, (m) => EMOJI[m] ?? m)
    .replace(/\*([^*\n]+)\*/g, '$1')
    .replace(/`([^`\n]+)`/g, '$1')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&')
    .replace(/^ +/gm, '')
    .trim();
}

const asText = (t: TextObject) => plainText(t.text);

function renderBlock(block: SlackBlock, width: number): string {
  switch (block.type) {
    case 'header': {
      const title = asText(block.text);
      return `${title}\n${'='.repeat(Math.min(width, title.length))}`;
    }
    case 'section': {
      const parts: string[] = [];
      if (block.text) parts.push(asText(block.text));
      if (block.fields) parts.push(block.fields.map((f) => asText(f).replace('\n', ': ')).join(' | '));
      return parts.join('\n');
    }
    case 'context':
      return block.elements.map(asText).join(' ');
    case 'divider':
      return '-'.repeat(width);
  }
}

export function renderSlackText(payload: SlackPayload, width = 72): string {
  return payload.blocks.map((b) => renderBlock(b, width)).join('\n\n');
}
