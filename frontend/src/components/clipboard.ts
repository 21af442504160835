// Copying a feed URL (the profile's own feed, an admin's resource or location feed): say it
// worked, or how to do it by hand when the browser refuses the clipboard.
import { toast } from './dialog';

export async function copyFeedUrl(url: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(url);
    toast('Feed URL copied.');
  } catch {
    toast('Copy failed: select the URL and copy it yourself.');
  }
}
